//! The PKIX types the RSP modules import (Certificate, SubjectPublicKeyInfo, ...).
