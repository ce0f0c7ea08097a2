//! Shared setup of the benches: one device in memory, no sockets: the sans-IO IPA, a simulated
//! eUICC and the reference eIM (`Eim::handle_esipa`), with the mock SM-DP+ answering the eIM's
//! ES9+' relay in process. [`poll`] runs one whole procedure; [`capture`] keeps the ESipa bytes
//! it exchanged (the inputs of `benches/asn1.rs`). Also the test vectors of `shared/spec/vectors`.
#![allow(dead_code)] // each bench uses a part

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rasn::types::BitString;
use sgp32_harness::asn1::rsp::Iccid;
use sgp32_harness::asn1::sgp32::{AddInitialEimRequest, IpaCapabilities, Psmo, PsmoEnable};
use sgp32_harness::crypto::Backend;
use sgp32_harness::eim::relay::es9_path_name;
use sgp32_harness::eim::{Eim, EimConfig, EsipaAnswer, RelayOutcome};
use sgp32_harness::euicc::{Euicc, Profile};
use sgp32_harness::ipa::{Ipa, IpaAction, IpaConfig, IpaEvent, IpaOutcome};
use sgp32_harness::pki::Pki;
use sgp32_harness::smdp::es2::{ConfirmOrder, DownloadOrder};
use sgp32_harness::smdp::{DEFAULT_PROFILE_TYPE, Smdp, SmdpConfig};

/// The SM-DP+ address the eIM relays to (in memory).
pub const SMDP_ADDRESS: &str = "smdp.bench.example";
/// Profile A (enabled at the start) and B (disabled); both notify enable and disable.
pub const ICCID_A: &str = "89440000000000000011";
pub const ICCID_B: &str = "89440000000000000022";

/// `shared/spec/vectors/<rel>`, read whole.
pub fn vector(rel: &str) -> Vec<u8> {
    let root = std::env::var_os("SGP32_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/vectors")
        });
    let path = root.join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn iccid(digits: &str) -> Iccid {
    Iccid::from_digits(digits).expect("iccid")
}

/// An enable PSMO for `iccid`.
pub fn enable(digits: &str) -> Vec<Psmo> {
    vec![Psmo::Enable(PsmoEnable {
        iccid: iccid(digits),
        rollback_flag: None,
        extensions: Default::default(),
    })]
}

/// One device and its eIM (and the SM-DP+ the eIM relays to).
pub struct World {
    pub pki: Arc<Pki>,
    pub eim: Eim,
    pub smdp: Smdp,
    pub euicc: Euicc,
    pub ipa: Ipa,
}

impl World {
    /// Device `index` of a fresh test PKI: profiles A (enabled) and B, both notifying enable and
    /// disable; the eIM added with AddInitialEim (association token 1) and registered at the eIM
    /// with CERT.EUICC; an IPA with the EID configured, the indirect download capability, no
    /// back-off. Everything on `backend`.
    pub fn new(index: u64, backend: Backend) -> World {
        let pki = Arc::new(Pki::generate(1, 0).expect("test PKI"));
        let eim = Eim::new(
            EimConfig::from_pki(&pki, backend)
                .expect("eIM config")
                .with_smdp(SMDP_ADDRESS, "http://in-memory"),
        );
        let smdp = Smdp::new(
            SmdpConfig::from_harness_pki(&pki, backend)
                .expect("SM-DP+ config")
                .with_address(SMDP_ADDRESS),
        );
        let settings = sgp32_harness::euicc::Settings {
            backend,
            ..Default::default()
        };
        let mut euicc = Euicc::builder(pki.clone(), index)
            .settings(settings)
            .profile(
                Profile::new(iccid(ICCID_A))
                    .enabled()
                    .notify(&[0, 1, 2, 3], SMDP_ADDRESS),
            )
            .profile(Profile::new(iccid(ICCID_B)).notify(&[0, 1, 2, 3], SMDP_ADDRESS))
            .build()
            .expect("eUICC");
        let add = AddInitialEimRequest {
            eim_configuration_data_list: vec![
                eim.config().eim_configuration_data(Some(0), Some(-1)),
            ],
            extensions: Default::default(),
        };
        euicc
            .handle_es10(&rasn::der::encode(&add).expect("encode"))
            .expect("AddInitialEim");
        let cert = pki
            .euicc(index)
            .expect("eUICC credential")
            .credential
            .cert_der;
        eim.register_euicc(euicc.eid(), Some(1), 0, Some(cert))
            .expect("register");
        let mut features = BitString::repeat(false, 6);
        features.set(1, true); // indirectRspServerCommunication
        let ipa = Ipa::new(IpaConfig {
            eid: Some(*euicc.eid().as_bcd()),
            capabilities: IpaCapabilities {
                ipa_features: features,
                ..Default::default()
            },
            retries: 0,
            backoff_base: Duration::ZERO,
            ..Default::default()
        });
        World {
            pki,
            eim,
            smdp,
            euicc,
            ipa,
        }
    }

    /// Orders a profile download at the SM-DP+ (released) and its trigger at the eIM.
    pub fn order_download(&self) {
        let eid = self.euicc.eid();
        let iccid = self
            .smdp
            .download_order(&DownloadOrder {
                eid: Some(eid.digits()),
                iccid: None,
                profile_type: Some(DEFAULT_PROFILE_TYPE.into()),
            })
            .expect("DownloadOrder");
        self.smdp
            .confirm_order(&ConfirmOrder {
                iccid,
                eid: None,
                matching_id: Some("BENCH-MATCH".into()),
                confirmation_code: None,
                release_flag: true,
            })
            .expect("ConfirmOrder");
        self.eim
            .order_download_trigger(eid, format!("1${SMDP_ADDRESS}$BENCH-MATCH"))
            .expect("trigger order");
    }

    /// One whole procedure; see [`poll`].
    pub fn poll(&mut self, log: Option<&mut Vec<Exchange>>) -> IpaOutcome {
        poll(
            &mut self.ipa,
            &mut self.euicc,
            &self.eim,
            Some(&self.smdp),
            log,
        )
    }
}

/// One ESipa exchange: the IPA's request and the eIM's answer (empty for 204).
#[derive(Debug, Clone)]
pub struct Exchange {
    pub request: Vec<u8>,
    pub status: u16,
    pub answer: Vec<u8>,
}

/// The HTTP status and body of an answer; None for a relay.
fn http(answer: &mut EsipaAnswer) -> Option<(u16, Vec<u8>)> {
    match answer {
        EsipaAnswer::Message(body) => Some((200, std::mem::take(body))),
        EsipaAnswer::NoContent => Some((204, Vec::new())),
        EsipaAnswer::Undecodable(_) => Some((400, Vec::new())),
        EsipaAnswer::Relay(_) => None,
    }
}

/// The eIM's answer to one ESipa body, with ES9+' relayed to `smdp` in memory (JSON both ways,
/// as over HTTP); what an HTTP front end would send back (status, body).
pub fn esipa(eim: &Eim, smdp: Option<&Smdp>, body: &[u8]) -> (u16, Vec<u8>) {
    let mut answer = eim.handle_esipa(body);
    if let Some(answer) = http(&mut answer) {
        return answer;
    }
    let EsipaAnswer::Relay(r) = answer else {
        return (500, Vec::new());
    };
    let outcome = match smdp {
        Some(smdp) => {
            let a = smdp.handle_es9_json(es9_path_name(r.function), &r.body);
            RelayOutcome::Answer {
                status: a.status,
                body: a.body_bytes(),
            }
        }
        None => RelayOutcome::TransportFailure("no SM-DP+".into()),
    };
    http(&mut eim.complete_relay(r.ticket, outcome)).unwrap_or((502, Vec::new()))
}

/// Runs one procedure (one poll) to its end, in memory: ESipa answered by the eIM (relaying to
/// the SM-DP+), ES10 by the eUICC, back-off skipped. The ESipa exchanges go to `log` if given.
pub fn poll(
    ipa: &mut Ipa,
    euicc: &mut Euicc,
    eim: &Eim,
    smdp: Option<&Smdp>,
    mut log: Option<&mut Vec<Exchange>>,
) -> IpaOutcome {
    let mut action = ipa.handle(IpaEvent::StartPoll);
    loop {
        let event = match action {
            IpaAction::Finished(outcome) => return outcome,
            IpaAction::SendEs10(der) => match euicc.handle_es10(&der) {
                Ok(answer) => IpaEvent::Es10Response(answer),
                Err(e) => IpaEvent::Es10Failed(e.to_string()),
            },
            IpaAction::SendEsipa(der) => {
                let (status, body) = esipa(eim, smdp, &der);
                if let Some(log) = log.as_deref_mut() {
                    log.push(Exchange {
                        request: der,
                        status,
                        answer: body.clone(),
                    });
                }
                IpaEvent::EsipaResponse { status, body }
            }
            IpaAction::Wait(_) => IpaEvent::WaitElapsed,
            IpaAction::SendEs9 { .. } => IpaEvent::Es9Failed("no direct download here".into()),
        };
        action = ipa.handle(event);
    }
}

/// The ESipa exchanges of one poll of `world`.
pub fn capture(world: &mut World) -> (IpaOutcome, Vec<Exchange>) {
    let mut log = Vec::new();
    let outcome = world.poll(Some(&mut log));
    (outcome, log)
}
