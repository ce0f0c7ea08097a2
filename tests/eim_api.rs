//! The order API routing of the reference eIM (`Eim::handle_api`): every route with JSON in
//! and out, and the error statuses.

mod common;

use serde_json::{Value, json};
use sgp32_harness::asn1::sgp32::{
    EimConfigurationData, EsipaMessageFromEimToIpa, EuiccPackage, GetEimPackageResponseChoice, Psmo,
};
use sgp32_harness::crypto::Backend;
use sgp32_harness::eim::{Eim, EimFaults, EsipaAnswer};
use sgp32_harness::pki::euicc_eid;

fn eim() -> Eim {
    Eim::from_seed(7, Backend::AwsLc, EimFaults::NONE).unwrap()
}

fn call(eim: &Eim, method: &str, path: &str, body: Value) -> (u16, Value) {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(&body).unwrap()
    };
    let (status, out) = eim.handle_api(method, path, &bytes);
    (status, serde_json::from_slice(&out).unwrap())
}

fn eid(i: u64) -> String {
    euicc_eid(i).unwrap().to_string()
}

fn polled(eim: &Eim, i: u64) -> GetEimPackageResponseChoice {
    let EsipaAnswer::Message(m) = eim.handle_esipa(&common::poll_request(&euicc_eid(i).unwrap()))
    else {
        panic!()
    };
    let EsipaMessageFromEimToIpa::GetEimPackageResponse(r) = rasn::der::decode(&m).unwrap() else {
        panic!()
    };
    r.0
}

#[test]
fn config_route() {
    let eim = eim();
    let (status, body) = call(&eim, "GET", "/config", Value::Null);
    assert_eq!(status, 200);
    assert_eq!(body["eimId"], "sgp32-harness-eim");
    assert_eq!(body["eimFqdn"], "localhost");
    assert_eq!(body["supportedProtocols"], json!(["eimRetrieveHttps"]));
    let cert = hex::decode(body["eimSigningCertificate"].as_str().unwrap()).unwrap();
    assert_eq!(cert, eim.eim_config().signing_cert_der);
    let tls = hex::decode(body["tlsCertificate"].as_str().unwrap()).unwrap();
    assert_eq!(tls, eim.eim_config().tls_cert_der);
    let data = hex::decode(body["eimConfigurationData"].as_str().unwrap()).unwrap();
    let decoded: EimConfigurationData = rasn::der::decode(&data).unwrap();
    assert_eq!(decoded.eim_id, "sgp32-harness-eim");
    assert_eq!(decoded.counter_value, Some(0));
    assert_eq!(decoded.association_token, Some(-1));
    assert!(decoded.eim_public_key_data.is_some());
    assert!(decoded.trusted_public_key_data_tls.is_some());
}

#[test]
fn register_one_and_bulk_and_list() {
    let eim = eim();
    let (status, body) = call(
        &eim,
        "POST",
        "/euiccs",
        json!({"eid": eid(3), "associationToken": 1, "counter": 5}),
    );
    assert_eq!(status, 201);
    assert_eq!(body, json!({"eid": eid(3), "created": true}));
    let (status, body) = call(
        &eim,
        "POST",
        "/euiccs/bulk",
        json!({"count": 10, "seed": 7, "firstIndex": 100}),
    );
    assert_eq!(status, 201);
    assert_eq!(
        body,
        json!({"registered": 10, "firstEid": eid(100), "lastEid": eid(109)})
    );
    let (status, body) = call(&eim, "GET", "/euiccs?offset=1&limit=2", Value::Null);
    assert_eq!(status, 200);
    assert_eq!(body["total"], 11);
    let devices = body["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0]["eid"], eid(100));
    assert_eq!(devices[0]["associationToken"], 1);
    assert_eq!(devices[0]["polls"], 0);
    let (_, first) = call(&eim, "GET", "/euiccs", Value::Null);
    assert_eq!(first["devices"][0]["eid"], eid(3));
    assert_eq!(first["devices"][0]["counterValue"], 5);
}

#[test]
fn orders_of_each_kind_and_their_status() {
    let eim = eim();
    call(&eim, "POST", "/euiccs", json!({"eid": eid(1)}));
    let (status, body) = call(
        &eim,
        "POST",
        "/orders/psmo",
        json!({"eid": eid(1), "psmos": [
            {"enable": {"iccid": "894400000000000001", "rollback": true}},
            {"disable": {"iccid": "894400000000000002"}},
            {"delete": {"iccid": "894400000000000003"}},
            {"listProfileInfo": {}}, {"getRAT": {}},
            {"setFallbackAttribute": {"iccid": "894400000000000001"}},
            {"unsetFallbackAttribute": {}},
            {"setDefaultDpAddress": {"address": "smdp.example.com"}},
            {"configureImmediateEnable": {"immediateEnable": true}}
        ]}),
    );
    assert_eq!(status, 201);
    let psmo = body["orderId"].as_u64().unwrap();
    let (status, body) = call(
        &eim,
        "POST",
        "/orders/eco",
        json!({"eid": eid(1), "ecos": [
            {"addEim": {"eimId": "eim-2", "eimFqdn": "eim2.example.com", "counterValue": 0, "associationToken": -1}},
            {"updateEim": {"eimId": "eim-2", "counterValue": 10}},
            {"deleteEim": {"eimId": "eim-2"}}, {"listEim": {}}
        ]}),
    );
    assert_eq!(status, 201, "{body}");
    let (status, _) = call(
        &eim,
        "POST",
        "/orders/euicc-data",
        json!({"eid": eid(1), "tagList": "80BF20"}),
    );
    assert_eq!(status, 201);
    let (status, _) = call(
        &eim,
        "POST",
        "/orders/download",
        json!({"eid": eid(1), "activationCode": "1$smdp.example.com$X"}),
    );
    assert_eq!(status, 201);
    let (status, _) = call(
        &eim,
        "POST",
        "/orders/download",
        json!({"eid": eid(1), "contactDefaultSmdp": true}),
    );
    assert_eq!(status, 201);

    let (status, body) = call(&eim, "GET", &format!("/orders/{psmo}"), Value::Null);
    assert_eq!(status, 200);
    assert_eq!(body["state"], "queued");
    assert_eq!(body["kind"], "psmo");
    assert_eq!(body["eid"], eid(1));
    assert_eq!(body["eimTransactionId"].as_str().unwrap().len(), 32);

    // The PSMO package carries the nine operations, in order.
    let GetEimPackageResponseChoice::EuiccPackageRequest(p) = polled(&eim, 1) else {
        panic!()
    };
    let EuiccPackage::PsmoList(list) = &p.euicc_package_signed.euicc_package else {
        panic!()
    };
    assert_eq!(list.len(), 9);
    assert!(matches!(&list[0], Psmo::Enable(e) if e.rollback_flag.is_some()));
    let (_, body) = call(&eim, "GET", &format!("/orders/{psmo}"), Value::Null);
    assert_eq!(body["state"], "delivered");
    assert_eq!(body["counterValue"], 1);
}

#[test]
fn errors() {
    let eim = eim();
    let check = |method: &str, path: &str, body: &[u8], want: u16| {
        let (status, out) = eim.handle_api(method, path, body);
        assert_eq!(status, want, "{method} {path}");
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert!(v["error"].is_string(), "{v}");
    };
    check("POST", "/euiccs", b"{not json", 400);
    check("POST", "/euiccs", br#"{"eid": "123"}"#, 400);
    // Wrong check digits.
    check(
        "POST",
        "/euiccs",
        br#"{"eid": "89049032123451234512345678901234"}"#,
        400,
    );
    check("POST", "/euiccs", br#"{"eid": "x", "extra": 1}"#, 400);
    check("POST", "/euiccs/bulk", br#"{"count": 0, "seed": 1}"#, 400);
    let unknown = format!(r#"{{"eid": "{}", "psmos": [{{"getRAT": {{}}}}]}}"#, eid(77));
    check("POST", "/orders/psmo", unknown.as_bytes(), 404);
    let (status, _) = eim.handle_api(
        "POST",
        "/euiccs",
        format!(r#"{{"eid": "{}"}}"#, eid(2)).as_bytes(),
    );
    assert_eq!(status, 201);
    let empty = format!(r#"{{"eid": "{}", "psmos": []}}"#, eid(2));
    check("POST", "/orders/psmo", empty.as_bytes(), 400);
    let bad_iccid = format!(
        r#"{{"eid": "{}", "psmos": [{{"enable": {{"iccid": "12"}}}}]}}"#,
        eid(2)
    );
    check("POST", "/orders/psmo", bad_iccid.as_bytes(), 400);
    let bad_op = format!(r#"{{"eid": "{}", "psmos": [{{"explode": {{}}}}]}}"#, eid(2));
    check("POST", "/orders/psmo", bad_op.as_bytes(), 400);
    let bad_hex = format!(r#"{{"eid": "{}", "tagList": "zz"}}"#, eid(2));
    check("POST", "/orders/euicc-data", bad_hex.as_bytes(), 400);
    let no_ac = format!(r#"{{"eid": "{}", "activationCode": ""}}"#, eid(2));
    check("POST", "/orders/download", no_ac.as_bytes(), 400);
    // Neither or both of activationCode and contactDefaultSmdp.
    let neither = format!(r#"{{"eid": "{}"}}"#, eid(2));
    check("POST", "/orders/download", neither.as_bytes(), 400);
    let both = format!(
        r#"{{"eid": "{}", "activationCode": "1$a.example$X", "contactDefaultSmdp": true}}"#,
        eid(2)
    );
    check("POST", "/orders/download", both.as_bytes(), 400);
    check("GET", "/orders/999", b"", 404);
    check("GET", "/nowhere", b"", 404);
    check("DELETE", "/config", b"", 405);
    check("GET", "/orders/psmo", b"", 405);
    check("GET", "/euiccs?limit=x", b"", 400);
    check("GET", "/euiccs?color=red", b"", 400);
}
