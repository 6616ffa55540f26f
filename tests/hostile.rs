//! Hostile input: injection strings, deep and oversized JSON, NUL bytes,
//! absurd numbers. Everything is answered with a 4xx or stored exactly as
//! sent; nothing is executed.

use serde_json::{json, Value};

use crate::common::TestApp;

const NASTY: &[&str] = &[
    "'; DROP TABLE feedback; --",
    "\" OR 1=1 --",
    "1' UNION SELECT password_hash FROM users --",
    "<script>alert(document.cookie)</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}} ${7*7} %s %d %n",
    "%_\\ LIKE wildcards %%",
    "\u{202E}right-to-left override\u{200B}zero width",
    "emoji 🦀 and CJK 漢字 and combining e\u{0301}",
    "line\nbreak\ttab\r\nCRLF",
    "../../../../etc/passwd",
    "=HYPERLINK(\"http://evil.example\")",
];

#[actix_web::test]
async fn injection_strings_are_stored_byte_for_byte_and_never_executed() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    for (i, nasty) in NASTY.iter().enumerate() {
        let body = json!({
            "directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
            "received_on": "2025-06-02", "responded_on": "2025-06-03", "outcome": "upheld",
            "category": nasty, "sub_category": nasty, "service_area": nasty, "team": nasty,
            "summary": nasty, "learning": nasty, "themes": [nasty],
            "external_ref": format!("{nasty}{i}"),
            "complainant": {"name": nasty, "phone": nasty, "address": nasty, "email": format!("a{i}@example.org")},
            "remedies": [{"kind": "other", "description": nasty}],
        });
        let res = app
            .post("/api/v1/feedback")
            .auth(&admin)
            .json(&body)
            .send()
            .await;
        res.assert_status(201);
        let created = res.json();
        let fetched = app
            .get(&format!("/api/v1/feedback/{}", created["id"]))
            .auth(&admin)
            .send()
            .await
            .json();
        for field in [
            "category",
            "sub_category",
            "service_area",
            "team",
            "summary",
            "learning",
        ] {
            assert_eq!(
                fetched[field],
                Value::String(nasty.to_string()),
                "{field} of {nasty:?}"
            );
        }
        assert_eq!(fetched["complainant"]["name"], *nasty);
        assert_eq!(fetched["themes"][0], *nasty);
        assert_eq!(fetched["remedies"][0]["description"], *nasty);
        assert_eq!(fetched["external_ref"], format!("{nasty}{i}"));
        // As filters and search terms they match themselves and nothing else.
        let encoded: String = nasty.bytes().map(|b| format!("%{b:02X}")).collect();
        for filter in ["category", "q", "external_ref"] {
            let value = if filter == "external_ref" {
                format!(
                    "{encoded}{}",
                    i.to_string()
                        .bytes()
                        .map(|b| format!("%{b:02X}"))
                        .collect::<String>()
                )
            } else {
                encoded.clone()
            };
            let res = app
                .get(&format!("/api/v1/feedback?{filter}={value}"))
                .auth(&admin)
                .send()
                .await;
            res.assert_status(200);
            let ids: Vec<Value> = res.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].clone())
                .collect();
            assert!(
                ids.contains(&created["id"]),
                "{filter}={nasty:?} misses its record"
            );
        }
    }
    // Nothing was dropped or altered: every record is there.
    let all = app
        .get("/api/v1/feedback?limit=500")
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(all["total"], NASTY.len());
    let users = app.get("/api/v1/users").auth(&admin).send().await;
    users.assert_status(200);
    assert!(!users.text().contains("argon2"));
    // The statistics and the CSV carry the text as data, the report escapes it.
    let csv = app
        .get("/api/v1/statistics/complaints?year=2025")
        .auth(&admin)
        .header("accept", "text/csv")
        .send()
        .await
        .text();
    assert!(
        csv.contains("'=HYPERLINK"),
        "formulas are defused in CSV: {csv}"
    );
    let html = app
        .get("/api/v1/reports/annual?year=2025")
        .auth(&admin)
        .header("accept", "text/html")
        .send()
        .await
        .text();
    assert!(!html.contains("<script>alert") && !html.contains("<img src=x"));
}

#[actix_web::test]
async fn deep_and_oversized_json_is_refused_cleanly() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let res = app
        .post("/api/v1/feedback")
        .auth(&admin)
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await;
    res.problem(400);
    let deep_field = format!("{{\"directorate\":\"adults\",\"kind\":\"enquiry\",\"received_on\":\"2025-06-02\",\"summary\":{}1{}}}", "[".repeat(5_000), "]".repeat(5_000));
    let res = app
        .post("/api/v1/feedback")
        .auth(&admin)
        .header("content-type", "application/json")
        .body(deep_field)
        .send()
        .await;
    assert!(res.status.is_client_error(), "{}", res.status);
    let wide = json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-06-02",
                      "themes": vec!["x"; 60_000]});
    assert_eq!(
        app.post("/api/v1/feedback")
            .auth(&admin)
            .json(&wide)
            .send()
            .await
            .invalid_fields(),
        ["themes"]
    );
    let long_name = json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-06-02",
                           "complainant": {"name": "x".repeat(201)}});
    assert_eq!(
        app.post("/api/v1/feedback")
            .auth(&admin)
            .json(&long_name)
            .send()
            .await
            .invalid_fields(),
        ["complainant.name"]
    );
    let many_keys: serde_json::Map<String, Value> =
        (0..20_000).map(|i| (format!("k{i}"), json!(i))).collect();
    let res = app
        .post("/api/v1/feedback")
        .auth(&admin)
        .json(&Value::Object(many_keys))
        .send()
        .await;
    res.problem(422);
    let surrogate = r#"{"directorate":"adults","kind":"enquiry","received_on":"2025-06-02","summary":"\ud800"}"#;
    app.post("/api/v1/feedback")
        .auth(&admin)
        .header("content-type", "application/json")
        .body(surrogate)
        .send()
        .await
        .problem(400);
    assert_eq!(
        app.get("/api/v1/feedback").auth(&admin).send().await.json()["total"],
        0,
        "nothing was stored"
    );
}

#[actix_web::test]
async fn nul_bytes_and_absurd_numbers_get_4xx_never_500() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    for path in [
        "/api/v1/feedback?q=%00",
        "/api/v1/feedback?category=a%00b",
        "/api/v1/directorates/adu%00lts",
        "/api/v1/users?q=%00",
    ] {
        let res = app.get(path).auth(&admin).send().await;
        assert_eq!(res.status.as_u16(), 400, "{path}: {}", res.text());
    }
    for path in [
        "/api/v1/feedback?limit=1e999",
        "/api/v1/feedback?offset=99999999999999999999",
        "/api/v1/feedback?updated_since=2024-01-01T00:00:00Z%20OR%201=1",
        "/api/v1/feedback?stage=2147483648",
        "/api/v1/feedback?received_from=2024-02-30",
    ] {
        let res = app.get(path).auth(&admin).send().await;
        let field = path.split('?').nth(1).unwrap().split('=').next().unwrap();
        assert_eq!(res.unreadable_parameters(), [field], "{path}");
    }
    app.get("/api/v1/feedback/99999999999999999999")
        .auth(&admin)
        .send()
        .await
        .problem(404);
    app.get("/api/v1/feedback/..%2F..%2Fetc%2Fpasswd")
        .auth(&admin)
        .send()
        .await
        .problem(404);
    let res = app
        .get("/api/v1/feedback?offset=9223372036854775807")
        .auth(&admin)
        .send()
        .await;
    res.assert_status(200);
    let body = json!({"directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
                      "received_on": "2025-06-02", "responded_on": "2025-06-03", "outcome": "upheld", "category": "x",
                      "remedies": [{"kind": "financial_redress", "amount_pence": i64::MAX}]});
    assert_eq!(
        app.post("/api/v1/feedback")
            .auth(&admin)
            .json(&body)
            .send()
            .await
            .invalid_fields(),
        ["remedies[0].amount_pence"]
    );
    let case = json!({"reference": "24 000 001", "directorate": "adults", "received_on": "2024-01-02", "decision": "upheld",
                      "decided_on": "2024-06-03", "recommendations": [{"kind": "financial_redress", "amount_pence": i64::MAX}]});
    assert_eq!(
        app.post("/api/v1/ombudsman-cases")
            .auth(&admin)
            .json(&case)
            .send()
            .await
            .invalid_fields(),
        ["recommendations[0].amount_pence"]
    );
    let dates = json!({"directorate": "adults", "kind": "enquiry", "received_on": "+275760-01-01"});
    assert_eq!(
        app.post("/api/v1/feedback")
            .auth(&admin)
            .json(&dates)
            .send()
            .await
            .invalid_fields(),
        ["received_on"]
    );
    let old = json!({"directorate": "adults", "kind": "enquiry", "received_on": "0001-01-01"});
    app.post("/api/v1/feedback")
        .auth(&admin)
        .json(&old)
        .send()
        .await
        .assert_status(201);
    let long_query = format!("/api/v1/feedback?q={}", "a".repeat(20_000));
    let res = app.get(&long_query).auth(&admin).send().await;
    assert!(
        res.status.is_success() || res.status.is_client_error(),
        "{}",
        res.status
    );
}

#[actix_web::test]
async fn disguised_formulas_are_defused_in_every_csv_cell() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let disguised = [
        " =1+1",
        "  @SUM(A1)",
        ";=cmd|' /C calc'!A0",
        "＝1+1",
        "＋1",
        "－1",
        "＠SUM(A1)",
    ];
    for (i, category) in disguised.iter().enumerate() {
        app.post("/api/v1/feedback")
            .auth(&admin)
            .json(
                &serde_json::json!({"directorate": "adults", "kind": "complaint",
                "procedure": "statutory_adults", "stage": 1, "received_on": "2025-06-02",
                "responded_on": "2025-06-03", "outcome": "upheld", "category": category,
                "external_ref": format!("csv-{i}")}),
            )
            .send()
            .await
            .assert_status(201);
    }
    let csv = app
        .get("/api/v1/statistics/complaints?year=2025")
        .auth(&admin)
        .header("accept", "text/csv")
        .send()
        .await
        .text();
    for line in csv.lines() {
        // Every cell is quoted, and no cell's text starts a formula.
        let cells: Vec<&str> = line.split("\",\"").collect();
        assert!(line.starts_with('"') && line.ends_with('"'), "{line}");
        for cell in cells {
            let text = cell.trim_matches('"').trim_start();
            let first = text.chars().next().unwrap_or(' ');
            assert!(
                !("=+@;|＝＋－＠".contains(first)
                    || (first == '-' && text.parse::<f64>().is_err())),
                "an undefused cell in {line}"
            );
        }
    }
    for category in disguised {
        assert!(
            csv.contains(&format!("'{category}")),
            "{category} missing from {csv}"
        );
    }
}
