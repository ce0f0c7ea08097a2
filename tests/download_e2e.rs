//! A profile download end to end between the mock SM-DP+ and the simulated eUICC, in process,
//! with nothing simulated by hand: an ES2+ order at the SM-DP+, then ES9+ InitiateAuthentication
//! -> ES10b AuthenticateServer -> ES9+ AuthenticateClient -> ES10b PrepareDownload -> ES9+
//! GetBoundProfilePackage -> ES10b LoadBoundProfilePackage -> ES9+ HandleNotification (PIR).
//! The eUICC installs the profile the SM-DP+ prepared; a flipped byte in any part of the BPP
//! makes the installation fail with the command and reason of that part (issue 6, "Proven by
//! tests"). The IPA and the eIM relay are not in this test; they carry the same messages.

use std::sync::{Arc, OnceLock};

use sgp32_harness::asn1::rsp::*;
use sgp32_harness::asn1::tlv;
use sgp32_harness::crypto::Backend;
use sgp32_harness::euicc::Euicc;
use sgp32_harness::pki::Pki;
use sgp32_harness::smdp::{
    DEFAULT_PROFILE_TYPE, OrderState, Smdp, SmdpConfig, order_profile, sgp26_v3_dir,
};

const ADDRESS: &str = "smdp.harness.example";

fn pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(21, 2).unwrap()))
        .clone()
}

fn es10<T: rasn::Decode>(euicc: &mut Euicc, request: &impl rasn::Encode) -> T {
    let answer = euicc
        .handle_es10(&rasn::der::encode(request).unwrap())
        .unwrap();
    rasn::der::decode(&answer).unwrap()
}

/// A session up to the BPP: the SM-DP+ (SGP.26 v3 DPauth/DPpb, as by default), an eUICC that
/// trusts the SGP.26 CI (as by default), an order released for it.
struct Session {
    smdp: Smdp,
    euicc: Euicc,
    iccid: String,
    transaction_id: TransactionId,
    bpp: Vec<u8>,
}

fn session(index: u64, backend: Backend) -> Session {
    session_with(index, backend, false)
}

/// [`session`] with an SM-DP+ that binds with ReplaceSessionKeys or not.
fn session_with(index: u64, backend: Backend, replace_session_keys: bool) -> Session {
    let smdp = Smdp::new(SmdpConfig {
        replace_session_keys,
        ..SmdpConfig::sgp26_default(&pki(), &sgp26_v3_dir(), backend)
            .unwrap()
            .with_address(ADDRESS)
    });
    let mut euicc = Euicc::builder(pki(), index).build().unwrap();
    let eid = euicc.eid();

    // ES2+: the operator orders a profile for this EID and releases it with a matchingId.
    let matching_id = format!("MATCH-{index}");
    let (iccid, _) = smdp.order_released(&eid, &matching_id).unwrap();

    // Common mutual authentication.
    let challenge: GetEuiccChallengeResponse =
        es10(&mut euicc, &GetEuiccChallengeRequest::default());
    let info1: EuiccInfo1 = es10(&mut euicc, &GetEuiccInfo1Request::default());
    let init = smdp
        .initiate_authentication(&InitiateAuthenticationRequest {
            euicc_challenge: challenge.euicc_challenge,
            smdp_address: ADDRESS.into(),
            euicc_info1: info1,
            extensions: Default::default(),
        })
        .unwrap();
    let authenticated: AuthenticateServerResponse = es10(
        &mut euicc,
        &AuthenticateServerRequest {
            server_signed1: init.server_signed1.clone(),
            server_signature1: init.server_signature1.clone(),
            euicc_ci_pk_id_to_be_used: init.euicc_ci_pk_id_to_be_used.clone(),
            server_certificate: init.server_certificate.clone(),
            ctx_params1: CtxParams1::CtxParamsForCommonAuthentication(
                CtxParamsForCommonAuthentication {
                    matching_id: Some(matching_id),
                    device_info: DeviceInfo {
                        tac: Octet4::new([0x35, 0x29, 0x06, 0x11]),
                        device_capabilities: Default::default(),
                        imei: None,
                        extensions: Default::default(),
                    },
                    extensions: Default::default(),
                },
            ),
            extensions: Default::default(),
        },
    );
    assert!(
        matches!(
            authenticated,
            AuthenticateServerResponse::AuthenticateResponseOk(_)
        ),
        "{authenticated:?}"
    );
    let client = smdp
        .authenticate_client(
            &AuthenticateClientRequest {
                transaction_id: init.transaction_id.clone(),
                authenticate_server_response: authenticated,
                extensions: Default::default(),
            },
            None,
        )
        .unwrap();
    assert_eq!(client.profile_meta_data.iccid.digits(), iccid);

    // Download preparation and the bound profile package.
    let prepared: PrepareDownloadResponse = es10(
        &mut euicc,
        &PrepareDownloadRequest {
            smdp_signed2: client.smdp_signed2.clone(),
            smdp_signature2: client.smdp_signature2.clone(),
            hash_cc: None,
            smdp_certificate: client.smdp_certificate.clone(),
            extensions: Default::default(),
        },
    );
    assert!(
        matches!(prepared, PrepareDownloadResponse::DownloadResponseOk(_)),
        "{prepared:?}"
    );
    let (transaction_id, bpp) = smdp
        .get_bound_profile_package(
            &GetBoundProfilePackageRequest {
                transaction_id: client.transaction_id.clone(),
                prepare_download_response: prepared,
                extensions: Default::default(),
            },
            None,
        )
        .unwrap();
    assert_eq!(transaction_id, init.transaction_id);
    Session {
        smdp,
        euicc,
        iccid,
        transaction_id,
        bpp,
    }
}

fn load(euicc: &mut Euicc, bpp: &[u8]) -> ProfileInstallationResult {
    rasn::der::decode(&euicc.handle_es10(bpp).unwrap()).unwrap()
}

#[test]
fn the_euicc_installs_the_profile_the_smdp_prepared_and_the_smdp_gets_the_pir() {
    for (index, backend) in [(0, Backend::AwsLc), (1, Backend::RustCrypto)] {
        let Session {
            smdp,
            mut euicc,
            iccid,
            transaction_id,
            bpp,
        } = session(index, backend);
        let pir = load(&mut euicc, &bpp);
        let data = &pir.profile_installation_result_data;
        assert_eq!(data.transaction_id, transaction_id);
        assert!(
            matches!(data.final_result, FinalResult::SuccessResult(_)),
            "{:?}",
            data.final_result
        );
        // What was installed is what the SM-DP+ prepared for the order.
        let id = Iccid::from_digits(&iccid).unwrap();
        let prepared = order_profile(&id, DEFAULT_PROFILE_TYPE);
        let installed = euicc
            .profiles()
            .iter()
            .find(|p| p.iccid == id)
            .expect("the profile is installed");
        assert!(!installed.enabled, "installed disabled");
        assert_eq!(installed.profile_name, prepared.metadata.profile_name);
        assert_eq!(
            installed.service_provider_name,
            prepared.metadata.service_provider_name
        );

        // The PIR goes back to the SM-DP+, which verifies it and completes the order.
        smdp.handle_notification(
            &HandleNotification {
                pending_notification: PendingNotification::ProfileInstallationResult(pir),
                extensions: Default::default(),
            },
            None,
        );
        assert_eq!(smdp.order(&iccid).unwrap().state, OrderState::Installed);
        assert_eq!(smdp.notifications().len(), 1);
    }
}

/// An SM-DP+ configured for ReplaceSessionKeys binds the package with an 'A2' (the PPKs); the
/// eUICC takes the new keys and installs the profile.
#[test]
fn a_package_with_replace_session_keys_installs() {
    let Session {
        mut euicc,
        iccid,
        bpp,
        ..
    } = session_with(2, Backend::AwsLc, true);
    let outer = tlv::split(&bpp).unwrap();
    let tags: Vec<Vec<u8>> = tlv::children(outer.content)
        .iter()
        .map(|c| c.tag.to_vec())
        .collect();
    assert!(
        tags.contains(&vec![0xA2]),
        "no ReplaceSessionKeys: {tags:02X?}"
    );
    let pir = load(&mut euicc, &bpp);
    assert!(
        matches!(
            pir.profile_installation_result_data.final_result,
            FinalResult::SuccessResult(_)
        ),
        "{:?}",
        pir.profile_installation_result_data.final_result
    );
    let id = Iccid::from_digits(&iccid).unwrap();
    assert!(euicc.profiles().iter().any(|p| p.iccid == id));
    // A flipped byte in the ReplaceSessionKeys segment, or in a profile element segment (now
    // under the PPKs), fails with that command.
    for (index, command) in [
        (20, BppCommandId::REPLACE_SESSION_KEYS),
        (21, BppCommandId::LOAD_PROFILE_ELEMENTS),
    ] {
        let Session { mut euicc, bpp, .. } = session_with(index, Backend::AwsLc, true);
        let (offset, len, _) = segments(&bpp).into_iter().find(|s| s.2 == command).unwrap();
        let mut bad = bpp;
        bad[offset + len - 4] ^= 0x01;
        let pir = load(&mut euicc, &bad);
        let FinalResult::ErrorResult(e) = &pir.profile_installation_result_data.final_result else {
            panic!("{command:?} segment damaged, yet installed")
        };
        assert_eq!(
            (e.bpp_command_id, e.error_reason),
            (command, ErrorReason::SCP03T_SECURITY_ERROR)
        );
    }
    // Without the option there is no 'A2'.
    let plain = session_with(3, Backend::AwsLc, false);
    let outer = tlv::split(&plain.bpp).unwrap();
    assert!(tlv::children(outer.content).iter().all(|c| c.tag != [0xA2]));
}

/// The offsets of the segments of a BPP ('BF23' and every '87', '88', '86' TLV), each with the
/// command a failure there must name.
fn segments(bpp: &[u8]) -> Vec<(usize, usize, BppCommandId)> {
    let outer = tlv::split(bpp).unwrap();
    let mut out = Vec::new();
    let mut offset = outer.whole.len() - outer.content.len();
    for part in tlv::children(outer.content) {
        let header = part.whole.len() - part.content.len();
        let command_of = |inner_tag: u8| match (part.tag, inner_tag) {
            (_, 0x87) if part.tag == [0xa0] => BppCommandId::CONFIGURE_ISDP,
            (_, 0x87) => BppCommandId::REPLACE_SESSION_KEYS,
            (_, 0x88) => BppCommandId::STORE_METADATA,
            _ => BppCommandId::LOAD_PROFILE_ELEMENTS,
        };
        if part.tag == [0xbf, 0x23] {
            out.push((
                offset,
                part.whole.len(),
                BppCommandId::INITIALISE_SECURE_CHANNEL,
            ));
        } else {
            let mut inner_offset = offset + header;
            for segment in tlv::children(part.content) {
                out.push((
                    inner_offset,
                    segment.whole.len(),
                    command_of(segment.tag[0]),
                ));
                inner_offset += segment.whole.len();
            }
        }
        offset += part.whole.len();
    }
    out
}

#[test]
fn a_flipped_byte_in_any_bpp_segment_fails_the_installation_with_its_command() {
    let Session { bpp, .. } = session(5, Backend::AwsLc);
    let parts = segments(&bpp);
    assert!(parts.len() >= 4, "BF23, 87, 88 and 86 segments: {parts:?}");
    for (checked, (offset, len, command)) in (0u64..).zip(parts) {
        // A byte in the middle of the segment's value (its MAC or ciphertext, or BF23's
        // signed content).
        let at = offset + len - 4;
        let Session {
            smdp,
            mut euicc,
            iccid,
            bpp,
            ..
        } = session(6 + checked, Backend::AwsLc);
        let mut bad = bpp.clone();
        bad[at] ^= 0x01;
        let pir = load(&mut euicc, &bad);
        let FinalResult::ErrorResult(e) = &pir.profile_installation_result_data.final_result else {
            panic!("byte {at} flipped, yet installed")
        };
        assert_eq!(e.bpp_command_id, command, "byte {at}: {e:?}");
        let want = if command == BppCommandId::INITIALISE_SECURE_CHANNEL {
            ErrorReason::INVALID_SIGNATURE
        } else {
            ErrorReason::SCP03T_SECURITY_ERROR
        };
        assert_eq!(e.error_reason, want, "byte {at}: {e:?}");
        let id = Iccid::from_digits(&iccid).unwrap();
        assert!(
            euicc.profiles().iter().all(|p| p.iccid != id),
            "nothing installed"
        );
        drop(smdp);
    }
}
