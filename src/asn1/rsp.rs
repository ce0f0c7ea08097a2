//! RSPDefinitions (SGP.22 v2.5): the types SGP.32 uses.
