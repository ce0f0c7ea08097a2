//! The reference eIM over real sockets on 127.0.0.1: ESipa through the transport's client
//! (HTTP and HTTPS), the JSON order API over HTTP, and a simulated eUICC executing what it
//! gets. Issue 4's "proven by tests" over TCP.

mod common;

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use common::poll_request;
use rasn::types::FixedOctetString;
use sgp32_harness::asn1::sgp32::*;
use sgp32_harness::crypto::{Backend, provider};
use sgp32_harness::eim::server::{EimServerOptions, RunningEim};
use sgp32_harness::eim::{EimFault, EimFaults};
use sgp32_harness::euicc::{Euicc, Profile};
use sgp32_harness::pki::{Eid, Pki};
use sgp32_harness::transport::{ClientOptions, EsipaClient, HttpClient, TlsClientConfig};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/spec/vectors");
const VECTOR_EID: &str = "89049032123451234512345678901235";

fn pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(3, 0).unwrap()))
        .clone()
}

async fn start(tls: bool, faults: EimFaults) -> RunningEim {
    let options = EimServerOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls,
        api: Some("127.0.0.1:0".parse().unwrap()),
    };
    RunningEim::start_default(&pki(), Backend::AwsLc, faults, &options)
        .await
        .unwrap()
}

async fn esipa(eim: &RunningEim) -> EsipaClient {
    let tls = eim
        .esipa_url()
        .starts_with("https")
        .then(|| TlsClientConfig::trusting(vec![pki().ci.cert_der.clone()]));
    EsipaClient::connect(&eim.esipa_url(), tls, ClientOptions::default())
        .await
        .unwrap()
}

/// Orders one PSMO (`psmo` in the order API's JSON) for `eid` through the order API.
async fn order_psmo(eim: &RunningEim, eid: &Eid, psmo: &str) -> (u16, serde_json::Value) {
    let body = format!(r#"{{"eid":"{}","psmos":[{psmo}]}}"#, eid.digits());
    api(eim, "POST", "/orders/psmo", &body).await
}

async fn api(eim: &RunningEim, method: &str, path: &str, json: &str) -> (u16, serde_json::Value) {
    let mut client = HttpClient::connect(&eim.api_url().unwrap(), None, ClientOptions::default())
        .await
        .unwrap();
    let headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    let response = client
        .request(
            method,
            path,
            &headers,
            Bytes::copy_from_slice(json.as_bytes()),
        )
        .await
        .unwrap();
    let value = serde_json::from_slice(&response.body).unwrap_or(serde_json::Value::Null);
    (response.status, value)
}

fn get_eim_package_response(body: &[u8]) -> GetEimPackageResponseChoice {
    match rasn::der::decode::<EsipaMessageFromEimToIpa>(body).unwrap() {
        EsipaMessageFromEimToIpa::GetEimPackageResponse(r) => r.0,
        other => panic!("not a GetEimPackageResponse: {other:?}"),
    }
}

/// A simulated eUICC that has the served eIM (AddInitialEim, token 1), registered at the eIM
/// with its certificate through the in-process adapter.
fn device(eim: &RunningEim, index: u64) -> Euicc {
    let iccid = sgp32_harness::asn1::rsp::Iccid::from_digits("89440000000000000011").unwrap();
    let mut euicc = Euicc::builder(pki(), index)
        .profile(Profile::new(iccid))
        .build()
        .unwrap();
    let add = AddInitialEimRequest {
        eim_configuration_data_list: vec![
            eim.eim().config().eim_configuration_data(Some(0), Some(-1)),
        ],
        extensions: Default::default(),
    };
    euicc
        .handle_es10(&rasn::der::encode(&add).unwrap())
        .unwrap();
    let cert = pki().euicc(index).unwrap().credential.cert_der;
    eim.eim()
        .register_euicc(euicc.eid(), Some(1), 0, Some(cert))
        .unwrap();
    euicc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captured_request_gets_eid_not_found_then_no_package_once_registered() {
    let eim = start(false, EimFaults::NONE).await;
    let request =
        std::fs::read(format!("{VECTORS}/esipa-live/getEimPackageRequest_req.der")).unwrap();
    let mut client = esipa(&eim).await;
    let response = client.post(&request).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/x-gsma-rsp-asn1")
    );
    assert_eq!(
        &response.body[..],
        [0xbf, 0x4f, 0x03, 0x02, 0x01, 0x02],
        "eidNotFound"
    );

    let (status, body) = api(
        &eim,
        "POST",
        "/euiccs",
        &format!(r#"{{"eid":"{VECTOR_EID}"}}"#),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let response = client.post(&request).await.unwrap();
    assert_eq!(
        &response.body[..],
        [0xbf, 0x4f, 0x03, 0x02, 0x01, 0x01],
        "noEimPackageAvailable"
    );
    assert_eq!(client.connections_opened(), 1, "keep-alive");
    eim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ordered_psmo_travels_over_https_and_its_result_closes_the_order() {
    let eim = start(true, EimFaults::NONE).await;
    let mut euicc = device(&eim, 1);
    let eid = euicc.eid();
    let (status, body) =
        order_psmo(&eim, &eid, r#"{"enable":{"iccid":"89440000000000000011"}}"#).await;
    assert_eq!(status, 201, "{body}");
    let order = body["orderId"].clone();

    let mut client = esipa(&eim).await;
    let response = client.post(&poll_request(&eid)).await.unwrap();
    let GetEimPackageResponseChoice::EuiccPackageRequest(package) =
        get_eim_package_response(&response.body)
    else {
        panic!("no package")
    };
    // The eimSignature verifies with the eIM certificate over DER(EuiccPackageSigned) || 84 01 01.
    let signed = eim_signed_data(&package.euicc_package_signed, Some(1)).unwrap();
    let key = provider(Backend::RustCrypto)
        .verifying_key_from_certificate_der(&pki().eim_sign.cert_der)
        .unwrap();
    key.verify(&signed, &package.eim_signature).unwrap();

    let result = euicc
        .handle_es10(&rasn::der::encode(&*package).unwrap())
        .unwrap();
    let provide =
        EsipaMessageFromIpaToEim::ProvideEimPackageResult(Box::new(ProvideEimPackageResult {
            eid_value: Some(FixedOctetString::from(*eid.as_bcd())),
            eim_package_result: EimPackageResult::EuiccPackageResult(
                rasn::der::decode(&result).unwrap(),
            ),
            extensions: Default::default(),
        }));
    let response = client
        .post(&rasn::der::encode(&provide).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    let (_, status) = api(&eim, "GET", &format!("/orders/{order}"), "").await;
    assert_eq!(status["state"], "done", "{status}");
    let response = client.post(&poll_request(&eid)).await.unwrap();
    assert_eq!(&response.body[..], [0xbf, 0x4f, 0x03, 0x02, 0x01, 0x01]);
    eim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_with_a_bad_euicc_signature_fails_the_order() {
    let eim = start(false, EimFaults::NONE).await;
    let mut euicc = device(&eim, 2);
    euicc.faults_mut().wrong_result_signature = true;
    let eid = euicc.eid();
    let (_, body) = order_psmo(&eim, &eid, r#"{"enable":{"iccid":"89440000000000000011"}}"#).await;
    let order = body["orderId"].clone();
    let mut client = esipa(&eim).await;
    let response = client.post(&poll_request(&eid)).await.unwrap();
    let GetEimPackageResponseChoice::EuiccPackageRequest(package) =
        get_eim_package_response(&response.body)
    else {
        panic!("no package")
    };
    let result = euicc
        .handle_es10(&rasn::der::encode(&*package).unwrap())
        .unwrap();
    let provide =
        EsipaMessageFromIpaToEim::ProvideEimPackageResult(Box::new(ProvideEimPackageResult {
            eid_value: Some(FixedOctetString::from(*eid.as_bcd())),
            eim_package_result: EimPackageResult::EuiccPackageResult(
                rasn::der::decode(&result).unwrap(),
            ),
            extensions: Default::default(),
        }));
    client
        .post(&rasn::der::encode(&provide).unwrap())
        .await
        .unwrap();
    let (_, status) = api(&eim, "GET", &format!("/orders/{order}"), "").await;
    assert_eq!(status["state"], "failed", "{status}");
    assert!(
        status.to_string().to_lowercase().contains("signature"),
        "{status}"
    );
    eim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_hundred_concurrent_polls_for_one_eid_get_one_package_with_one_counter() {
    let eim = Arc::new(start(false, EimFaults::NONE).await);
    let euicc = device(&eim, 3);
    let eid = euicc.eid();
    for _ in 0..3 {
        let (status, _) = order_psmo(&eim, &eid, r#"{"getRAT":{}}"#).await;
        assert_eq!(status, 201);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let eim = eim.clone();
        tasks.spawn(async move {
            let mut client = esipa(&eim).await;
            client
                .post(&poll_request(&eid))
                .await
                .unwrap()
                .body
                .to_vec()
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.unwrap());
    }
    assert_eq!(answers.len(), 100);
    assert!(
        answers.iter().all(|a| a == &answers[0]),
        "one package, same bytes"
    );
    let GetEimPackageResponseChoice::EuiccPackageRequest(package) =
        get_eim_package_response(&answers[0])
    else {
        panic!("no package")
    };
    assert_eq!(package.euicc_package_signed.counter_value, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binding_violations_and_the_wrong_content_type_fault_show_on_the_wire() {
    let eim = start(false, EimFaults::NONE).await;
    let mut client = esipa(&eim).await;
    let request = poll_request(&Eid::from_digits(VECTOR_EID).unwrap());
    let wrong_type = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        (
            "X-Admin-Protocol".to_string(),
            "gsma/rsp/v2.1.0".to_string(),
        ),
    ];
    let r = client
        .raw_request("POST", "/gsma/rsp2/asn1", &wrong_type, &request)
        .await
        .unwrap();
    assert_eq!(r.status, 415);
    let r = client
        .raw_request("GET", "/gsma/rsp2/asn1", &[], &[])
        .await
        .unwrap();
    assert_eq!(r.status, 405);
    let r = client.post(&[0x30, 0x00]).await.unwrap();
    assert_eq!(r.status, 400);
    eim.shutdown().await;

    let eim = start(false, EimFaults::NONE.with(EimFault::WrongContentType)).await;
    let r = esipa(&eim).await.post(&request).await.unwrap();
    assert_eq!(r.status, 200);
    assert_ne!(
        r.header("content-type"),
        Some("application/x-gsma-rsp-asn1")
    );
    eim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_bodies_never_crash_the_real_eim() {
    let eim = start(false, EimFaults::NONE).await;
    let mut client = esipa(&eim).await;
    // A fixed xorshift stream: repeatable, no extra dependency.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let tags: [&[u8]; 4] = [&[0xbf, 0x4f], &[0xbf, 0x50], &[0xbf, 0x3d], &[0x30]];
    for i in 0..300 {
        let len = (next() % 200) as usize;
        let mut body: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if i % 2 == 0 {
            let tag = tags[(next() % 4) as usize];
            let mut framed = tag.to_vec();
            framed.push(body.len().min(127) as u8);
            framed.extend_from_slice(&body[..body.len().min(127)]);
            body = framed;
        }
        let response = client.post(&body).await.unwrap();
        assert!(
            matches!(response.status, 200 | 204 | 400),
            "{} for {}",
            response.status,
            hex::encode(&body)
        );
    }
    let request = poll_request(&Eid::from_digits(VECTOR_EID).unwrap());
    let response = client.post(&request).await.unwrap();
    assert_eq!(&response.body[..], [0xbf, 0x4f, 0x03, 0x02, 0x01, 0x02]);
    eim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counter_at_the_top_fails_the_order_and_huge_bulk_requests_are_refused() {
    let eim = start(false, EimFaults::NONE).await;
    let eid = sgp32_harness::pki::euicc_eid(551).unwrap();
    let (status, _) = api(
        &eim,
        "POST",
        "/euiccs",
        &format!(r#"{{"eid":"{}","counter":{}}}"#, eid.digits(), i64::MAX),
    )
    .await;
    assert_eq!(status, 201);
    let (_, body) = order_psmo(&eim, &eid, r#"{"getRAT":{}}"#).await;
    let order = body["orderId"].clone();
    let response = esipa(&eim).await.post(&poll_request(&eid)).await.unwrap();
    assert_eq!(response.status, 200);
    let (_, status) = api(&eim, "GET", &format!("/orders/{order}"), "").await;
    assert_eq!(status["state"], "failed", "{status}");

    let (status, body) = api(
        &eim,
        "POST",
        "/euiccs/bulk",
        r#"{"count":18446744073709551615,"seed":1}"#,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = api(
        &eim,
        "POST",
        "/euiccs",
        &format!(r#"{{"eid":"{}","counter":-1}}"#, eid.digits()),
    )
    .await;
    assert_eq!(status, 400);
    eim.shutdown().await;
}
