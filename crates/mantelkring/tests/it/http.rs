//! HTTP basics: security headers, CSRF, error pages, language switch, static assets, API.

use crate::support::TestApp;
use reqwest::StatusCode;

fn assert_security_headers(response: &reqwest::Response) {
    let h = response.headers();
    let csp = h
        .get("content-security-policy")
        .expect("CSP")
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert!(h.get("referrer-policy").is_some());
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let app = TestApp::sqlite().await;
    for path in [
        "/",
        "/toegankelijkheid",
        "/api",
        "/api/openapi.json",
        "/healthz",
        "/static/mantelkring.css",
        "/bestaat-niet",
    ] {
        let response = app.get(path).await;
        assert_security_headers(&response);
    }
    let refused = app
        .client
        .post(app.url("/taal"))
        .form(&[("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_security_headers(&refused);
}

#[tokio::test]
async fn the_home_page_is_dutch_and_shows_the_region() {
    let app = TestApp::sqlite().await;
    let mut tx = app.store.begin_write().await.unwrap();
    let region = mantelkring_store::base::insert_region(&mut tx, "Regio Proef")
        .await
        .unwrap();
    let code = mantelkring_core::base::CbsCode::parse("GM0546").unwrap();
    mantelkring_store::base::insert_municipality(&mut tx, Some(&region.id), &code, "Leiden")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let response = app.get("/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"nl\">"));
    assert!(html.contains("Samen zorgen voor wie zorgt"));
    assert!(html.contains("Regio Proef") && html.contains("Leiden"));
    assert!(
        html.contains("href=\"#inhoud\"") && html.contains("id=\"inhoud\""),
        "skip link and its target"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no reference to another host"
    );
}

#[tokio::test]
async fn an_unknown_page_gets_a_dutch_404_page_and_an_unknown_api_path_json() {
    let app = TestApp::sqlite().await;
    let response = app.get("/bestaat-niet").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"nl\">") && html.contains("Deze pagina bestaat niet"));

    let response = app.get("/api/v1/bestaat-niet").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["status"], 404);
    assert_eq!(body["error"]["message"], "Deze pagina bestaat niet");
}

#[tokio::test]
async fn a_post_without_a_valid_csrf_token_is_refused_with_403() {
    let app = TestApp::sqlite().await;
    let (cookie, token) = app.csrf().await;

    // No token at all.
    let r = app
        .client
        .post(app.url("/taal"))
        .header("cookie", &cookie)
        .form(&[("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("Geen toegang"));
    // A wrong token.
    let r = app
        .client
        .post(app.url("/taal"))
        .header("cookie", &cookie)
        .form(&[("lang", "en"), ("csrf", &"0".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The right token without its cookie (as a forged cross-site request would send it).
    let r = app
        .client
        .post(app.url("/taal"))
        .form(&[("lang", "en"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A token for another browser's cookie.
    let (other_cookie, _) = app.csrf().await;
    let r = app
        .client
        .post(app.url("/taal"))
        .header("cookie", &other_cookie)
        .form(&[("lang", "en"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // JSON bodies and other methods are checked too.
    let r = app
        .client
        .delete(app.url("/taal"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_language_switch_works_with_a_valid_token_and_only_returns_to_local_pages() {
    let app = TestApp::sqlite().await;
    let (cookie, token) = app.csrf().await;
    let r = app
        .client
        .post(app.url("/taal"))
        .header("cookie", &cookie)
        .form(&[
            ("lang", "en"),
            ("csrf", &token),
            ("terug", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers().get("location").unwrap(), "/");
    let lang_cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(lang_cookie, "mk_lang=en");

    let html = app
        .client
        .get(app.url("/"))
        .header("cookie", format!("{cookie}; {lang_cookie}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("Caring together for those who care")
    );

    // An unknown language is a clear 400, not a crash.
    let r = app
        .client
        .post(app.url("/taal"))
        .header("cookie", &cookie)
        .form(&[("lang", "fr"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Dit verzoek klopt niet"));
}

#[tokio::test]
async fn malformed_requests_get_a_clear_4xx_page_never_a_500() {
    let app = TestApp::sqlite().await;
    let (cookie, token) = app.csrf().await;
    // Wrong method.
    let r = app
        .client
        .put(app.url("/"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.text().await.unwrap().contains("Dit kan hier niet"));
    // A form missing its field.
    let r = app
        .client
        .post(app.url("/taal"))
        .header("cookie", &cookie)
        .form(&[("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Het formulier is niet goed ingevuld")
    );
    // A body over the limit (64 KiB in tests).
    let big = "x".repeat(200 * 1024);
    let r = app
        .client
        .post(app.url("/taal"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={token}&lang={big}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().await.unwrap().contains("Dit is te groot"));
    // Not valid UTF-8 in a path parameter.
    let r = app.get("/static/%FF").await;
    assert!(r.status().is_client_error(), "{}", r.status());
}

#[tokio::test]
async fn static_assets_come_from_the_binary_with_validators() {
    let app = TestApp::sqlite().await;
    let r = app.get("/static/mantelkring.css").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let etag = r
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(r.text().await.unwrap().contains("--mk-color-primary"));
    let r = app
        .client
        .get(app.url("/static/mantelkring.css"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        app.get("/static/geheim.txt").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn health_and_the_regions_api_answer_json() {
    let app = TestApp::sqlite().await;
    let health: serde_json::Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);

    let mut tx = app.store.begin_write().await.unwrap();
    let region = mantelkring_store::base::insert_region(&mut tx, "Regio API")
        .await
        .unwrap();
    let code = mantelkring_core::base::CbsCode::parse("GM0547").unwrap();
    mantelkring_store::base::insert_municipality(&mut tx, Some(&region.id), &code, "Leiderdorp")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let regions: serde_json::Value = app.get("/api/v1/regions").await.json().await.unwrap();
    assert_eq!(regions[0]["name"], "Regio API");
    assert_eq!(regions[0]["municipalities"][0]["cbs_code"], "GM0547");
}

#[tokio::test]
async fn the_api_page_lists_every_operation_of_the_openapi_document() {
    let app = TestApp::sqlite().await;
    let doc: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let html = app.get("/api").await.text().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.contains_key("/api/v1/regions") && paths.contains_key("/readyz"));
    for path in paths.keys() {
        assert!(html.contains(path.as_str()), "API page misses {path}");
    }
}
