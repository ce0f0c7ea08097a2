//! Building (SM-DP+, SGP.22 5.5 / 2.5.5) and opening (eUICC, SGP.22 5.7.6) a BoundProfilePackage.
//!
//! # Layout built
//!
//! ```text
//! BF36 {
//!   BF23 { 82 01 01, 80 <transactionId>, A6 { 80 01 88, 81 01 10, 84 <hostId> },
//!          5F49 <otPK.DP.ECKA>, 5F37 <smdpSign r||s> }
//!   A0 { 87 .. }            ConfigureISDPRequest 'BF24' (encrypted + C-MAC, session keys)
//!   A1 { 88 .. }            StoreMetadataRequest 'BF25' (C-MAC only, same session)
//!   A2 { 87 .. }            optional ReplaceSessionKeysRequest 'BF26' (encrypted, same session)
//!   A3 { 86 .. }            the profile package, cut every `segment_size` plaintext bytes
//!                           (session keys continued, or the PPKs from a new counter 1)
//! }
//! ```
//!
//! Every segment is the `87`/`88`/`86` TLV itself (its tag and length are MACed), one [`Bsp`]
//! carries the MAC chaining value and the counter from the first '87' to the last segment
//! protected with the session keys.
//!
//! # What smdpSign covers
//!
//! SGP.22 5.5.1 (and the `InitialiseSecureChannelRequest-ver` helper type of RSPDefinitions,
//! "needs manual skipping of tag + tlv"): the SM-DP+ signs the *contents* of BF23 up to, not
//! including, `smdpSign` — the TLVs remoteOpId `82`, transactionId `80`, controlRefTemplate `A6`
//! and smdpOtpk `5F49`, exactly as they are encoded in the package — followed by the TLV
//! `5F49 41 <otPK.EUICC.ECKA>` of the eUICC's one-time key (`euiccOtpk` from EUICCSigned2),
//! ECDSA-SHA256 with SK.DPpb, `r||s`. The eUICC takes these bytes from the *received* BF23
//! (no re-encoding) and appends its own one-time public key, so the signature binds the
//! package to its download session. See [`smdp_signed_data`].

use crate::asn1::Extensions;
use crate::asn1::rsp::{
    BppCommandId, ConfigureISDPRequest, ControlRefTemplate, ErrorReason,
    InitialiseSecureChannelRequest, Octet1, OctetTo16, RemoteOpId, ReplaceSessionKeysRequest,
    StoreMetadataRequest,
};
use crate::asn1::tlv::{self, Tlv};
use crate::crypto::{Bsp, CryptoError, CryptoProvider, SegmentKind, SessionKeys};
use rasn::types::OctetString;

use super::package::{self, PackageError};
use super::{
    BindingParams, BppBuildError, BppInstallError, OpenedProfile, OpeningParams, ProfileContent,
};

/// The CRT `keyType` for AES (GlobalPlatform Card Specification table 11-16).
pub const KEY_TYPE_AES: u8 = 0x88;
/// The CRT `keyLen`: 16 bytes, the only length SGP.22 defines.
pub const KEY_LEN_AES128: u8 = 0x10;
/// The `hostId` the harness's SM-DP+ puts in the CRT (any 1..16 bytes are allowed).
pub const HOST_ID: &[u8] = b"SGP32-HARNESS";

const TAG_BPP: [u8; 2] = [0xBF, 0x36];
const TAG_ISC: [u8; 2] = [0xBF, 0x23];
const TAG_SMDP_SIGN: [u8; 2] = [0x5F, 0x37];
const TAG_OTPK: [u8; 2] = [0x5F, 0x49];

fn build_err(what: impl std::fmt::Display) -> BppBuildError {
    BppBuildError::Build(what.to_string())
}

fn install_err(
    command: BppCommandId,
    reason: ErrorReason,
    detail: impl Into<String>,
) -> BppInstallError {
    let detail = detail.into();
    tracing::debug!(?command, ?reason, %detail, "bound profile package refused");
    BppInstallError {
        command,
        reason,
        detail,
    }
}

/// The data `smdpSign` is computed over (SGP.22 5.5.1, see the module documentation): the
/// contents of the BF23 TLV `isc` before its `5F37` element, then `5F49 || L || euicc_otpk`.
/// `isc` is the whole BF23 TLV as received (or as encoded by the SM-DP+). `None` if `isc` is
/// not a BF23 TLV whose contents are TLVs containing a `5F37` element.
pub fn smdp_signed_data(isc: &[u8], euicc_otpk: &[u8]) -> Option<Vec<u8>> {
    let t = tlv::split(isc).ok()?;
    if t.tag != TAG_ISC || t.whole.len() != isc.len() {
        return None;
    }
    let mut rest = t.content;
    let mut offset = 0;
    while !rest.is_empty() {
        let c = tlv::split(rest).ok()?;
        if c.tag == TAG_SMDP_SIGN {
            let mut data = t.content.get(..offset)?.to_vec();
            tlv::push(&mut data, &TAG_OTPK, euicc_otpk);
            return Some(data);
        }
        offset += c.whole.len();
        rest = rest.get(c.whole.len()..)?;
    }
    None
}

/// Fresh random PPK-ENC, PPK-MAC and initial MAC chaining value.
fn random_ppk() -> Result<SessionKeys, BppBuildError> {
    let mut b = [0u8; 48];
    getrandom::fill(&mut b).map_err(|e| build_err(format!("no randomness for the PPKs: {e}")))?;
    let mut keys = SessionKeys {
        s_enc: [0; 16],
        s_mac: [0; 16],
        initial_mcv: [0; 16],
    };
    keys.s_enc.copy_from_slice(&b[..16]);
    keys.s_mac.copy_from_slice(&b[16..32]);
    keys.initial_mcv.copy_from_slice(&b[32..]);
    Ok(keys)
}

/// The SM-DP+ side: see [`super::build_bpp`].
pub(super) fn build(
    params: &BindingParams<'_>,
    profile: &ProfileContent,
) -> Result<Vec<u8>, BppBuildError> {
    if params.segment_size == 0 {
        return Err(build_err("segment_size 0"));
    }
    let provider = params.provider;
    let otsk = match &params.smdp_otsk {
        Some(k) => k.clone(),
        None => provider.generate_ecka_key().map_err(build_err)?,
    };
    let shared = otsk
        .agree(params.euicc_otpk)
        .map_err(|e| build_err(format!("ECKA with euiccOtpk: {e}")))?;
    let host_id = OctetTo16(OctetString::from_static(HOST_ID));
    let keys = provider
        .derive_session_keys(
            &shared,
            KEY_TYPE_AES,
            KEY_LEN_AES128,
            HOST_ID,
            params.eid.as_bcd(),
        )
        .map_err(build_err)?;

    // InitialiseSecureChannel: encode without the signature to get the signed bytes (the DER
    // of the elements before smdpSign does not depend on its value), then with it.
    let mut isc = InitialiseSecureChannelRequest {
        remote_op_id: RemoteOpId::INSTALL_BOUND_PROFILE_PACKAGE,
        transaction_id: params.transaction_id.clone(),
        control_ref_template: ControlRefTemplate {
            key_type: Octet1::new([KEY_TYPE_AES]),
            key_len: Octet1::new([KEY_LEN_AES128]),
            host_id,
            extensions: Extensions::default(),
        },
        smdp_otpk: OctetString::from(otsk.public_key_sec1().to_vec()),
        smdp_sign: OctetString::from_static(&[]),
        extensions: Extensions::default(),
    };
    let unsigned = rasn::der::encode(&isc).map_err(build_err)?;
    let tbs = smdp_signed_data(&unsigned, params.euicc_otpk)
        .ok_or_else(|| build_err("InitialiseSecureChannelRequest encoding"))?;
    let sig = params.dp_pb_key.sign(&tbs).map_err(build_err)?;
    isc.smdp_sign = OctetString::from(sig.to_vec());
    let isc_der = rasn::der::encode(&isc).map_err(build_err)?;

    let mut bsp = Bsp::new(provider, &keys).map_err(build_err)?;
    let isdp = rasn::der::encode(&ConfigureISDPRequest::default()).map_err(build_err)?;
    let first87 = bsp
        .protect_split(SegmentKind::Encrypted, 0x87, &isdp)
        .map_err(build_err)?;
    let metadata = rasn::der::encode(&profile.metadata).map_err(build_err)?;
    let seq88 = bsp
        .protect_split(SegmentKind::MacOnly, 0x88, &metadata)
        .map_err(build_err)?;
    let second87 = if params.replace_session_keys {
        let ppk = random_ppk()?;
        let rsk = ReplaceSessionKeysRequest {
            initial_mac_chaining_value: OctetString::from(ppk.initial_mcv.to_vec()),
            ppk_enc: OctetString::from(ppk.s_enc.to_vec()),
            ppk_cmac: OctetString::from(ppk.s_mac.to_vec()),
            extensions: Extensions::default(),
        };
        let rsk = rasn::der::encode(&rsk).map_err(build_err)?;
        let segs = bsp
            .protect_split(SegmentKind::Encrypted, 0x87, &rsk)
            .map_err(build_err)?;
        bsp = Bsp::new(provider, &ppk).map_err(build_err)?;
        Some(segs)
    } else {
        None
    };
    let chunk = params.segment_size.min(Bsp::MAX_ENCRYPTED_PLAINTEXT);
    let mut seq86 = Vec::with_capacity(profile.elements.len() / chunk + 1);
    if profile.elements.is_empty() {
        seq86.push(bsp.protect(0x86, &[]).map_err(build_err)?);
    }
    for part in profile.elements.chunks(chunk) {
        seq86.push(bsp.protect(0x86, part).map_err(build_err)?);
    }

    let mut body = isc_der;
    tlv::push(&mut body, &[0xA0], &first87.concat());
    tlv::push(&mut body, &[0xA1], &seq88.concat());
    if let Some(segs) = second87 {
        tlv::push(&mut body, &[0xA2], &segs.concat());
    }
    tlv::push(&mut body, &[0xA3], &seq86.concat());
    Ok(tlv::encode(&TAG_BPP, &body))
}

/// How a segment error maps to an ErrorReason (SGP.22 5.5.2-5.5.5).
fn segment_reason(e: &CryptoError) -> ErrorReason {
    match e {
        CryptoError::Scp03tStructure(_) => ErrorReason::SCP03T_STRUCTURE_ERROR,
        _ => ErrorReason::SCP03T_SECURITY_ERROR,
    }
}

/// The segments of one `A0`/`A1`/`A2`/`A3` container: every child a TLV with `tag`, the
/// children filling the container exactly, at least one.
fn segments<'a>(
    container: &Tlv<'a>,
    tag: u8,
    command: BppCommandId,
) -> Result<Vec<&'a [u8]>, BppInstallError> {
    let structure = |d: String| install_err(command, ErrorReason::SCP03T_STRUCTURE_ERROR, d);
    let mut rest = container.content;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let t = tlv::split(rest)
            .map_err(|e| structure(format!("segment {}: {}", out.len(), e.as_str())))?;
        if t.tag != [tag] {
            return Err(structure(format!(
                "segment {} has tag {}, expected {tag:02X}",
                out.len(),
                hex::encode_upper(t.tag)
            )));
        }
        rest = &rest[t.whole.len()..];
        out.push(t.whole);
    }
    if out.is_empty() {
        return Err(structure("no segment".into()));
    }
    Ok(out)
}

/// Unprotects the segments of a container in order; `command_of(i)` names the i-th one.
fn unprotect_all(
    bsp: &mut Bsp,
    segs: &[&[u8]],
    kind: SegmentKind,
    command_of: impl Fn(usize) -> BppCommandId,
) -> Result<Vec<u8>, BppInstallError> {
    let mut plain = Vec::new();
    for (i, seg) in segs.iter().enumerate() {
        let part = match kind {
            SegmentKind::Encrypted => bsp.unprotect(seg),
            SegmentKind::MacOnly => bsp.unprotect_mac_only(seg),
        }
        .map_err(|e| {
            install_err(
                command_of(i),
                segment_reason(&e),
                format!("segment {i}: {e}"),
            )
        })?;
        plain.extend_from_slice(&part);
    }
    Ok(plain)
}

/// Decodes exactly one BER value of type `T` filling `bytes`.
fn decode_exact<T: rasn::Decode>(bytes: &[u8]) -> Result<T, String> {
    let t = tlv::split(bytes).map_err(|e| e.as_str().to_owned())?;
    if t.whole.len() != bytes.len() {
        return Err(format!(
            "{} bytes after the value",
            bytes.len() - t.whole.len()
        ));
    }
    rasn::ber::decode::<T>(bytes).map_err(|e| e.to_string())
}

/// The next child of the BF36 contents, if it has `tag`.
fn take<'a>(rest: &mut &'a [u8], tag: &[u8]) -> Option<Result<Tlv<'a>, tlv::TlvError>> {
    // The tag decides whose element it is, even when its length is broken.
    let tag_end = tlv::tag_len(rest).ok()?;
    if rest.get(..tag_end) != Some(tag) {
        return None;
    }
    match tlv::split(rest) {
        Ok(t) => {
            *rest = &rest[t.whole.len()..];
            Some(Ok(t))
        }
        Err(e) => Some(Err(e)),
    }
}

/// A required container: its TLV or the structure error of `command`.
fn required<'a>(
    rest: &mut &'a [u8],
    tag: u8,
    command: BppCommandId,
) -> Result<Tlv<'a>, BppInstallError> {
    let structure = |d: String| install_err(command, ErrorReason::SCP03T_STRUCTURE_ERROR, d);
    match take(rest, &[tag]) {
        Some(Ok(t)) => Ok(t),
        Some(Err(e)) => Err(structure(format!("container {tag:02X}: {}", e.as_str()))),
        None => Err(structure(match rest.first() {
            Some(b) => format!("expected container {tag:02X}, found {b:02X}"),
            None => format!("missing container {tag:02X}"),
        })),
    }
}

/// The checked InitialiseSecureChannelRequest: its session keys.
fn initialise_secure_channel(
    isc_tlv: &Tlv<'_>,
    params: &OpeningParams<'_>,
) -> Result<SessionKeys, BppInstallError> {
    let cmd = BppCommandId::INITIALISE_SECURE_CHANNEL;
    let input = |d: String| install_err(cmd, ErrorReason::INCORRECT_INPUT_VALUES, d);
    let isc: InitialiseSecureChannelRequest =
        decode_exact(isc_tlv.whole).map_err(|e| input(format!("BF23: {e}")))?;
    if isc.remote_op_id != RemoteOpId::INSTALL_BOUND_PROFILE_PACKAGE {
        return Err(install_err(
            cmd,
            ErrorReason::UNSUPPORTED_REMOTE_OPERATION_TYPE,
            format!("remoteOpId {}", isc.remote_op_id.0),
        ));
    }
    if isc.transaction_id.as_ref() != params.transaction_id.as_ref() {
        return Err(install_err(
            cmd,
            ErrorReason::INVALID_TRANSACTION_ID,
            format!(
                "transactionId {} is not the session's {}",
                hex::encode(isc.transaction_id.as_ref() as &[u8]),
                hex::encode(params.transaction_id.as_ref() as &[u8])
            ),
        ));
    }
    let crt = &isc.control_ref_template;
    let (key_type, key_len) = (crt.key_type.as_ref()[0], crt.key_len.as_ref()[0]);
    if key_type != KEY_TYPE_AES || key_len != KEY_LEN_AES128 {
        return Err(install_err(
            cmd,
            ErrorReason::UNSUPPORTED_CRT_VALUES,
            format!("keyType {key_type:02X}, keyLen {key_len:02X} (only 88/10 supported)"),
        ));
    }
    let own_otpk = params.euicc_otsk.public_key_sec1();
    let tbs = smdp_signed_data(isc_tlv.whole, &own_otpk)
        .ok_or_else(|| input("BF23 contents not readable for smdpSign".into()))?;
    params.dp_pb.verify(&tbs, &isc.smdp_sign).map_err(|e| {
        install_err(
            cmd,
            ErrorReason::INVALID_SIGNATURE,
            format!("smdpSign: {e}"),
        )
    })?;
    let shared = params
        .euicc_otsk
        .agree(&isc.smdp_otpk)
        .map_err(|e| input(format!("smdpOtpk: {e}")))?;
    let host_id: &[u8] = crt.host_id.as_ref();
    params
        .provider
        .derive_session_keys(&shared, key_type, key_len, host_id, params.eid.as_bcd())
        .map_err(|e| install_err(cmd, ErrorReason::UNSUPPORTED_CRT_VALUES, e.to_string()))
}

/// Which keys protect the profile elements when no ReplaceSessionKeys is in the package.
pub(super) enum PpkFallback<'a> {
    /// The session keys continue (SGP.22 when no PPK is used).
    Continue,
    /// These PPKs, from counter 1 (a package made for keys given beside it, like the
    /// `bpp_decode` known answer).
    Given(&'a SessionKeys),
}

/// The eUICC side: see [`super::open_bpp`].
pub(super) fn open(
    bpp: &[u8],
    params: &OpeningParams<'_>,
) -> Result<OpenedProfile, BppInstallError> {
    let (isc, rest) = envelope(bpp)?;
    let keys = initialise_secure_channel(&isc, params)?;
    open_segments(rest, params.provider, &keys, PpkFallback::Continue)
}

/// Splits a BF36 into its BF23 TLV and the contents after it.
pub(super) fn envelope(bpp: &[u8]) -> Result<(Tlv<'_>, &[u8]), BppInstallError> {
    let cmd = BppCommandId::INITIALISE_SECURE_CHANNEL;
    let structure = |d: String| install_err(cmd, ErrorReason::SCP03T_STRUCTURE_ERROR, d);
    let outer = tlv::split(bpp).map_err(|e| structure(format!("BF36: {}", e.as_str())))?;
    if outer.tag != TAG_BPP {
        return Err(structure(format!(
            "tag {} is not BoundProfilePackage BF36",
            hex::encode_upper(outer.tag)
        )));
    }
    if outer.whole.len() != bpp.len() {
        return Err(structure(format!(
            "{} bytes after the BF36 TLV",
            bpp.len() - outer.whole.len()
        )));
    }
    let mut rest = outer.content;
    let isc = match take(&mut rest, &TAG_ISC) {
        Some(Ok(t)) => t,
        Some(Err(e)) => return Err(structure(format!("BF23: {}", e.as_str()))),
        None => {
            return Err(structure(
                "no InitialiseSecureChannelRequest BF23 first".into(),
            ));
        }
    };
    Ok((isc, rest))
}

/// Everything after BF23, with the session keys (SGP.22 5.5.2-5.5.5, 5.7.6).
pub(super) fn open_segments(
    mut rest: &[u8],
    provider: &dyn CryptoProvider,
    keys: &SessionKeys,
    fallback: PpkFallback<'_>,
) -> Result<OpenedProfile, BppInstallError> {
    let fatal = |cmd: BppCommandId, e: CryptoError| {
        install_err(
            cmd,
            ErrorReason::SCP03T_SECURITY_ERROR,
            format!("BSP setup: {e}"),
        )
    };

    // ConfigureISDP.
    let cmd = BppCommandId::CONFIGURE_ISDP;
    let a0 = required(&mut rest, 0xA0, cmd)?;
    let segs = segments(&a0, 0x87, cmd)?;
    let mut bsp = Bsp::new(provider, keys).map_err(|e| fatal(cmd, e))?;
    let plain = unprotect_all(&mut bsp, &segs, SegmentKind::Encrypted, |_| cmd)?;
    decode_exact::<ConfigureISDPRequest>(&plain).map_err(|e| {
        install_err(
            cmd,
            ErrorReason::INCORRECT_INPUT_VALUES,
            format!("ConfigureISDPRequest: {e}"),
        )
    })?;

    // StoreMetadata (first segment storeMetadata, the next ones storeMetadata2).
    let cmd = BppCommandId::STORE_METADATA;
    let a1 = required(&mut rest, 0xA1, cmd)?;
    let segs = segments(&a1, 0x88, cmd)?;
    let plain = unprotect_all(&mut bsp, &segs, SegmentKind::MacOnly, |i| {
        if i == 0 {
            BppCommandId::STORE_METADATA
        } else {
            BppCommandId::STORE_METADATA2
        }
    })?;
    let metadata: StoreMetadataRequest = decode_exact(&plain).map_err(|e| {
        install_err(
            cmd,
            ErrorReason::INCORRECT_INPUT_VALUES,
            format!("StoreMetadataRequest: {e}"),
        )
    })?;

    // ReplaceSessionKeys, optional.
    let cmd = BppCommandId::REPLACE_SESSION_KEYS;
    match take(&mut rest, &[0xA2]) {
        Some(Err(e)) => {
            return Err(install_err(
                cmd,
                ErrorReason::SCP03T_STRUCTURE_ERROR,
                format!("container A2: {}", e.as_str()),
            ));
        }
        Some(Ok(a2)) => {
            let segs = segments(&a2, 0x87, cmd)?;
            let plain = unprotect_all(&mut bsp, &segs, SegmentKind::Encrypted, |_| cmd)?;
            let input = |d: String| install_err(cmd, ErrorReason::INCORRECT_INPUT_VALUES, d);
            let rsk: ReplaceSessionKeysRequest = decode_exact(&plain)
                .map_err(|e| input(format!("ReplaceSessionKeysRequest: {e}")))?;
            let key = |v: &OctetString, name: &str| -> Result<[u8; 16], BppInstallError> {
                <[u8; 16]>::try_from(v.as_ref())
                    .map_err(|_| input(format!("{name} of {} bytes, not 16", v.len())))
            };
            let ppk = SessionKeys {
                s_enc: key(&rsk.ppk_enc, "ppkEnc")?,
                s_mac: key(&rsk.ppk_cmac, "ppkCmac")?,
                initial_mcv: key(&rsk.initial_mac_chaining_value, "initialMacChainingValue")?,
            };
            bsp = Bsp::new(provider, &ppk).map_err(|e| fatal(cmd, e))?;
        }
        None => {
            if let PpkFallback::Given(ppk) = fallback {
                bsp = Bsp::new(provider, ppk).map_err(|e| fatal(cmd, e))?;
            }
        }
    }

    // LoadProfileElements.
    let cmd = BppCommandId::LOAD_PROFILE_ELEMENTS;
    let a3 = required(&mut rest, 0xA3, cmd)?;
    let segs = segments(&a3, 0x86, cmd)?;
    if !rest.is_empty() {
        return Err(install_err(
            cmd,
            ErrorReason::SCP03T_STRUCTURE_ERROR,
            format!("{} bytes after sequenceOf86", rest.len()),
        ));
    }
    let elements = unprotect_all(&mut bsp, &segs, SegmentKind::Encrypted, |_| cmd)?;
    let summary = package::summarize(&elements).map_err(|e: PackageError| {
        install_err(
            cmd,
            ErrorReason::INSTALL_FAILED_DUE_TO_PE_PROCESSING_ERROR,
            e.to_string(),
        )
    })?;
    if summary.iccid != metadata.iccid {
        return Err(install_err(
            cmd,
            ErrorReason::INSTALL_FAILED_DUE_TO_DATA_MISMATCH,
            format!(
                "ProfileHeader iccid {} differs from StoreMetadata iccid {}",
                hex::encode(summary.iccid.as_ref() as &[u8]),
                hex::encode(metadata.iccid.as_ref() as &[u8])
            ),
        ));
    }
    Ok(OpenedProfile {
        iccid: metadata.iccid.clone(),
        metadata,
        elements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BF23 { 82 01 01, 80 01 AA, A6 { 80 01 88, 81 01 10, 84 01 01 }, 5F49 01 04, 5F37 01 00 }.
    const ISC: &str = "bf23198201018001aaa609800188810110840101 5f490104 5f370100";

    fn isc() -> Vec<u8> {
        hex::decode(ISC.replace(' ', "")).unwrap()
    }

    #[test]
    fn signed_data_is_the_contents_before_smdp_sign_and_the_euicc_otpk() {
        let data = smdp_signed_data(&isc(), &[0x04, 0x05]).unwrap();
        assert_eq!(
            hex::encode(data),
            "8201018001aaa6098001888101108401015f4901045f49020405"
        );
        // The ASN.1 type decodes the same bytes.
        let d: InitialiseSecureChannelRequest = rasn::ber::decode(&isc()).unwrap();
        assert_eq!(d.smdp_sign.as_ref(), [0x00]);
    }

    #[test]
    fn signed_data_needs_a_bf23_with_smdp_sign() {
        let good = isc();
        assert!(smdp_signed_data(&good[..good.len() - 4], &[4]).is_none()); // truncated
        let mut other = good.clone();
        other[1] = 0x24; // BF24
        assert!(smdp_signed_data(&other, &[4]).is_none());
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(smdp_signed_data(&trailing, &[4]).is_none());
        // No 5F37 element.
        let no_sign = tlv::encode(&TAG_ISC, &[0x82, 0x01, 0x01]);
        assert!(smdp_signed_data(&no_sign, &[4]).is_none());
        // A broken child before 5F37.
        let broken = tlv::encode(&TAG_ISC, &[0x82, 0x05, 0x01, 0x5F, 0x37, 0x00]);
        assert!(smdp_signed_data(&broken, &[4]).is_none());
        assert!(smdp_signed_data(&[], &[4]).is_none());
    }

    #[test]
    fn a_container_is_named_by_its_tag_even_with_a_broken_length() {
        let bytes = [0xA3, 0x80, 0x00];
        let mut rest: &[u8] = &bytes;
        assert!(take(&mut rest, &[0xA2]).is_none());
        assert_eq!(
            take(&mut rest, &[0xA3]),
            Some(Err(tlv::TlvError::IndefiniteLength))
        );
        let e = required(&mut rest, 0xA3, BppCommandId::LOAD_PROFILE_ELEMENTS).unwrap_err();
        assert_eq!(
            (e.command, e.reason),
            (
                BppCommandId::LOAD_PROFILE_ELEMENTS,
                ErrorReason::SCP03T_STRUCTURE_ERROR
            )
        );
        let mut empty: &[u8] = &[];
        assert!(take(&mut empty, &[0xA3]).is_none());
        let e = required(&mut empty, 0xA0, BppCommandId::CONFIGURE_ISDP).unwrap_err();
        assert!(e.detail.contains("missing container A0"), "{e}");
    }

    #[test]
    fn segments_must_fill_their_container_with_the_right_tag() {
        let cmd = BppCommandId::CONFIGURE_ISDP;
        let c = tlv::encode(&[0xA0], &[0x87, 0x01, 0x00, 0x87, 0x00]);
        let t = tlv::split(&c).unwrap();
        assert_eq!(segments(&t, 0x87, cmd).unwrap().len(), 2);
        let e = segments(&t, 0x86, cmd).unwrap_err();
        assert_eq!(e.reason, ErrorReason::SCP03T_STRUCTURE_ERROR);
        let c = tlv::encode(&[0xA0], &[0x87, 0x02, 0x00]);
        assert!(segments(&tlv::split(&c).unwrap(), 0x87, cmd).is_err());
        let c = tlv::encode(&[0xA0], &[]);
        assert!(segments(&tlv::split(&c).unwrap(), 0x87, cmd).is_err());
    }

    #[test]
    fn segment_errors_map_to_sgp22_reasons() {
        assert_eq!(
            segment_reason(&CryptoError::Scp03tMac),
            ErrorReason::SCP03T_SECURITY_ERROR
        );
        assert_eq!(
            segment_reason(&CryptoError::Scp03tPadding),
            ErrorReason::SCP03T_SECURITY_ERROR
        );
        assert_eq!(
            segment_reason(&CryptoError::Scp03tStructure("x".into())),
            ErrorReason::SCP03T_STRUCTURE_ERROR
        );
    }

    #[test]
    fn decode_exact_refuses_trailing_bytes() {
        assert!(decode_exact::<ConfigureISDPRequest>(&[0xBF, 0x24, 0x00]).is_ok());
        assert!(decode_exact::<ConfigureISDPRequest>(&[0xBF, 0x24, 0x00, 0x00]).is_err());
        assert!(decode_exact::<ConfigureISDPRequest>(&[0xBF, 0x25, 0x00]).is_err());
        assert!(decode_exact::<ConfigureISDPRequest>(&[]).is_err());
    }
}
