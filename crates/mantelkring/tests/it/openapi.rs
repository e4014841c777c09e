//! The OpenAPI document is generated from the handlers; this snapshot makes every API change
//! visible in review. After an intended change: `UPDATE_SNAPSHOTS=1 scripts/test`.

#[test]
fn the_openapi_document_matches_the_committed_snapshot() {
    let generated = mantelkring_web::openapi_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is out of date; run UPDATE_SNAPSHOTS=1 scripts/test and review the diff"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
}
