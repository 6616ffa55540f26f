//! What the breakdowns group by, as list filters: service, team, theme,
//! detailed reason, channel, relationship and directorate, each exact or
//! several values.

use serde_json::{json, Value};

use crate::common::{TestApp, TestUser};

const FEEDBACK: &str = "/api/v1/feedback";

async fn create(app: &TestApp, user: &TestUser, body: Value) -> i64 {
    let res = app.post(FEEDBACK).auth(user).json(&body).send().await;
    res.assert_status(201);
    res.json()["id"].as_i64().expect("id")
}

/// The ids a list query finds, in id order.
async fn found(app: &TestApp, user: &TestUser, query: &str) -> Vec<i64> {
    let res = app
        .get(&format!("{FEEDBACK}?{query}&sort=id&limit=100"))
        .auth(user)
        .send()
        .await;
    res.assert_status(200);
    res.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

#[actix_web::test]
async fn the_list_filters_on_every_breakdown_dimension() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let record = |directorate: &str, extra: Value| {
        let mut body =
            json!({"directorate": directorate, "kind": "enquiry", "received_on": "2025-10-06"});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let a = create(
        &app,
        &admin,
        record(
            "children",
            json!({
        "service_area": "SEND", "team": "Statutory Assessment Team", "category": "Education",
        "sub_category": "EHCP delay", "channel": "email", "themes": ["communication", "delay"],
        "complainant": {"name": "A Parent", "relationship": "advocate"}}),
        ),
    )
    .await;
    let b = create(
        &app,
        &admin,
        record(
            "children",
            json!({
        "service_area": "Social Care", "team": "Assessment Team North", "category": "Education",
        "sub_category": "Transport", "channel": "phone", "themes": ["delay"],
        "complainant": {"name": "A Young Person", "relationship": "self"}}),
        ),
    )
    .await;
    let c = create(
        &app,
        &admin,
        record(
            "adults",
            json!({
        "service_area": "SEND", "channel": "web", "themes": ["Communication"],
        "complainant": {"name": "A Friend", "relationship": "representative"}}),
        ),
    )
    .await;

    for (query, want) in [
        ("service_area=SEND", vec![a, c]),
        ("service_area=SEND,Social%20Care", vec![a, b, c]),
        ("team=Statutory%20Assessment%20Team", vec![a]),
        ("sub_category=Transport,EHCP%20delay", vec![a, b]),
        ("theme=delay", vec![a, b]),
        ("theme=communication", vec![a]),
        ("theme=communication,Communication", vec![a, c]),
        ("channel=email,web", vec![a, c]),
        ("relationship=self", vec![b]),
        ("relationship=advocate,representative", vec![a, c]),
        ("directorate=adults,children", vec![a, b, c]),
        ("directorate=adults", vec![c]),
        ("theme=delay&channel=phone", vec![b]),
        ("theme=nothing", vec![]),
    ] {
        assert_eq!(found(&app, &admin, query).await, want, "{query}");
    }
    for query in ["channel=pigeon", "relationship=email,cousin"] {
        let res = app
            .get(&format!("{FEEDBACK}?{query}"))
            .auth(&admin)
            .send()
            .await;
        let field = query.split('=').next().unwrap();
        assert_eq!(res.problem(422)["errors"][0]["field"], field, "{query}");
    }

    // Changing the themes changes what the filter finds.
    let res = app
        .patch(&format!("{FEEDBACK}/{b}"))
        .auth(&admin)
        .json(&json!({"themes": ["transport", "transport"]}))
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(found(&app, &admin, "theme=delay").await, vec![a]);
    assert_eq!(found(&app, &admin, "theme=transport").await, vec![b]);
    // An erased record is gone from the filter too.
    app.post(&format!("{FEEDBACK}/{a}/erase"))
        .auth(&admin)
        .json(&json!({"reason": "erasure_request"}))
        .send()
        .await
        .assert_status(200);
    assert_eq!(found(&app, &admin, "theme=delay").await, Vec::<i64>::new());

    // Analysts filter on the same dimensions, within their directorates.
    let analyst = app.as_analyst("adults").await;
    assert_eq!(found(&app, &analyst, "service_area=SEND").await, vec![c]);
    assert_eq!(
        found(&app, &analyst, "relationship=representative").await,
        vec![c]
    );
}

/// The complaint statistics of 2025-26 for `query`.
async fn statistics(app: &TestApp, user: &TestUser, query: &str) -> Value {
    let res = app
        .get(&format!("/api/v1/statistics/complaints?year=2025&{query}"))
        .auth(user)
        .send()
        .await;
    res.assert_status(200);
    res.json()
}

/// The group of `stats` whose key is `key`.
fn group(stats: &Value, key: Value) -> &Value {
    stats["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["key"] == key)
        .unwrap_or_else(|| panic!("no group {key} in {}", stats["groups"]))
}

#[actix_web::test]
async fn complaint_statistics_group_by_one_or_two_dimensions() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let complaint = |service: &str,
                     category: &str,
                     received: &str,
                     responded: Option<&str>,
                     extra: Value| {
        let mut body = json!({"directorate": "children", "kind": "complaint", "procedure": "corporate",
            "stage": 1, "received_on": received, "service_area": service, "category": category});
        if let Some(r) = responded {
            body["responded_on"] = json!(r);
            body["outcome"] = json!("upheld");
        }
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    // Received in Q1 (April to June 2025) and Q2; two answered late.
    create(&app, &admin, complaint("SEND", "Education", "2025-04-07", Some("2025-04-14"),
        json!({"themes": ["delay", "communication"], "complainant": {"name": "P", "relationship": "advocate"}}))).await;
    create(
        &app,
        &admin,
        complaint(
            "SEND",
            "Education",
            "2025-05-12",
            Some("2025-07-30"),
            json!({"themes": ["delay"], "complainant": {"name": "Q", "relationship": "advocate"}}),
        ),
    )
    .await;
    create(
        &app,
        &admin,
        complaint("SEND", "Transport", "2025-07-01", None, json!({})),
    )
    .await;
    create(
        &app,
        &admin,
        complaint(
            "Social Care",
            "Education",
            "2025-08-04",
            Some("2025-10-31"),
            json!({"stage": 2, "complainant": {"name": "R", "relationship": "self"}}),
        ),
    )
    .await;
    create(
        &app,
        &admin,
        json!({"directorate": "children", "kind": "enquiry", "received_on": "2025-06-02",
        "service_area": "SEND", "themes": ["delay"]}),
    )
    .await;

    let stats = statistics(&app, &admin, "group_by=service_area,category").await;
    assert_eq!(stats["received"], 4, "every field of the analysis stays");
    assert_eq!(stats["groups"].as_array().unwrap().len(), 3);
    let send = group(
        &stats,
        json!({"service_area": "SEND", "category": "Education"}),
    );
    assert_eq!(send["received"], 2);
    assert_eq!(send["responded"], 2);
    assert_eq!(send["outside_target"], 1);
    assert_eq!(send["outcomes"]["upheld"], 2);
    assert_eq!(send["outcomes"]["not_upheld"], 0);
    let transport = group(
        &stats,
        json!({"service_area": "SEND", "category": "Transport"}),
    );
    assert_eq!(
        (
            transport["received"].clone(),
            transport["responded"].clone()
        ),
        (json!(1), json!(0))
    );

    // Quarters count received records by receipt and responded ones by response.
    let stats = statistics(&app, &admin, "group_by=quarter").await;
    let q1 = group(&stats, json!({"quarter": "2025-26 Q1"}));
    assert_eq!(
        (q1["received"].clone(), q1["responded"].clone()),
        (json!(2), json!(1))
    );
    let q2 = group(&stats, json!({"quarter": "2025-26 Q2"}));
    assert_eq!(
        (q2["received"].clone(), q2["responded"].clone()),
        (json!(2), json!(1))
    );
    let q3 = group(&stats, json!({"quarter": "2025-26 Q3"}));
    assert_eq!(
        (q3["received"].clone(), q3["responded"].clone()),
        (json!(0), json!(1))
    );
    let stats = statistics(&app, &admin, "group_by=month").await;
    assert_eq!(group(&stats, json!({"month": "2025-07"}))["responded"], 1);
    let stats = statistics(&app, &admin, "group_by=stage").await;
    assert_eq!(group(&stats, json!({"stage": "2"}))["received"], 1);

    // Themes of complaints and enquiries together: a record in each of its
    // themes, none in the null group.
    let stats = statistics(&app, &admin, "kind=complaint,enquiry&group_by=theme").await;
    assert_eq!(stats["kinds"], json!(["complaint", "enquiry"]));
    assert_eq!(stats["received"], 5);
    assert_eq!(group(&stats, json!({"theme": "delay"}))["received"], 3);
    assert_eq!(
        group(&stats, json!({"theme": "communication"}))["received"],
        1
    );
    assert_eq!(group(&stats, json!({"theme": null}))["received"], 2);

    // Relationship is personal: an analyst sees 1 to 4 withheld.
    let stats = statistics(&app, &admin, "group_by=relationship").await;
    assert_eq!(
        group(&stats, json!({"relationship": "advocate"}))["received"],
        2
    );
    let analyst = app.as_analyst("children").await;
    let stats = statistics(&app, &analyst, "directorate=children&group_by=relationship").await;
    let advocate = group(&stats, json!({"relationship": "advocate"}));
    assert_eq!(advocate["suppressed"], true);
    assert_eq!(advocate["received"], Value::Null);
    assert_eq!(advocate["outcomes"], Value::Null);
    // Other dimensions are not withheld.
    let stats = statistics(&app, &analyst, "directorate=children&group_by=channel").await;
    assert_eq!(group(&stats, json!({"channel": null}))["suppressed"], false);

    for query in [
        "group_by=colour",
        "group_by=team,team",
        "group_by=team,stage,month",
        "kind=complaint,petition",
    ] {
        let res = app
            .get(&format!("/api/v1/statistics/complaints?year=2025&{query}"))
            .auth(&admin)
            .send()
            .await;
        let field = query.split('=').next().unwrap();
        assert_eq!(res.problem(422)["errors"][0]["field"], field, "{query}");
    }
    // Without group_by, no groups.
    assert_eq!(statistics(&app, &admin, "").await["groups"], json!([]));
}

#[actix_web::test]
async fn the_caseload_open_at_start_carried_over_open_at_end_and_worked_on() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let enquiry = |received: &str, responded: Option<&str>| {
        let mut body = json!({"directorate": "adults", "kind": "enquiry", "received_on": received});
        if let Some(r) = responded {
            body["responded_on"] = json!(r);
        }
        body
    };
    for (received, responded) in [
        ("2025-03-10", Some("2025-04-15")), // open at the start, carried over
        ("2025-02-03", None),               // open throughout
        ("2025-05-01", Some("2025-06-02")), // within the year
        ("2026-02-02", None),               // open at the end
        ("2025-03-03", Some("2025-03-20")), // closed before the year
        ("2026-03-20", Some("2026-04-10")), // answered after it
        ("2026-04-01", None),               // received after it
    ] {
        create(&app, &admin, enquiry(received, responded)).await;
    }
    let stats = statistics(&app, &admin, "kind=enquiry").await;
    assert_eq!(stats["open_at_start"], 2);
    assert_eq!(stats["carried_over"], 1);
    assert_eq!(stats["open_at_end"], 3);
    assert_eq!(stats["worked_on"], 5);
    assert_eq!(stats["received"], 3);
    assert_eq!(stats["responded"], 2);

    // The feedback statistics give the same, per kind.
    let res = app
        .get("/api/v1/statistics/feedback?year=2025&years=2")
        .auth(&admin)
        .send()
        .await;
    res.assert_status(200);
    let volumes = res.json();
    assert_eq!(
        volumes["caseload"]["enquiry"],
        json!({"open_at_start": 2, "carried_over": 1, "open_at_end": 3, "worked_on": 5})
    );
    assert_eq!(volumes["caseload"]["compliment"]["worked_on"], 0);
    // 2024-25: received 3 February, 3 March and 10 March, none open at its
    // start; the 3 March one closed in it.
    let res = app
        .get("/api/v1/statistics/feedback?year=2024")
        .auth(&admin)
        .send()
        .await;
    assert_eq!(
        res.json()["caseload"]["enquiry"],
        json!({"open_at_start": 0, "carried_over": 0, "open_at_end": 2, "worked_on": 3})
    );
}

#[actix_web::test]
async fn ombudsman_statistics_give_the_caseload_recommendations_and_public_reports() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let case = |n: u32, received: &str, extra: Value| {
        let mut body = json!({"reference": format!("24 {n:03} 777"), "directorate": "adults",
                              "received_on": received});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let upheld = |decided: &str| json!({"decision": "upheld", "decided_on": decided});
    let bodies = [
        // Carried in: received in 2024-25, upheld in 2025-26 with two
        // recommendations and a public report.
        case(1, "2025-02-10", {
            let mut b = upheld("2025-06-16");
            b["recommendations"] = json!([
                {"kind": "apology", "due_on": "2025-07-16"},
                {"kind": "financial_redress", "amount_pence": 30000, "due_on": "2025-07-16"}]);
            b["public_report"] = json!(true);
            b["public_report_title"] = json!("Delay in a care assessment");
            b["public_report_on"] = json!("2025-08-04");
            b["service_area"] = json!("Care Assessment");
            b
        }),
        // Received and upheld in the year, without recommendations.
        case(2, "2025-05-06", upheld("2025-09-01")),
        // Received in the year, still open at its end.
        case(3, "2026-01-12", json!({})),
        // Open at the start and the end.
        case(4, "2025-03-03", json!({})),
        // Decided before the year: not in its caseload.
        case(
            5,
            "2024-09-02",
            json!({"decision": "not_upheld", "decided_on": "2025-01-20"}),
        ),
        // A PHSO case: not counted by default.
        case(6, "2025-05-06", json!({"ombudsman": "phso"})),
    ];
    for body in bodies {
        let res = app
            .post("/api/v1/ombudsman-cases")
            .auth(&admin)
            .json(&body)
            .send()
            .await;
        res.assert_status(201);
    }
    let res = app
        .get("/api/v1/statistics/ombudsman?year=2025")
        .auth(&admin)
        .send()
        .await;
    res.assert_status(200);
    let stats = res.json();
    assert_eq!(stats["received"], 2);
    assert_eq!(stats["open_at_start"], 2);
    assert_eq!(stats["carried_over"], 1);
    assert_eq!(stats["open_at_end"], 2);
    assert_eq!(stats["worked_on"], 4);
    assert_eq!(stats["dealt_with"], 2);
    assert_eq!(stats["recommendations_by_kind"]["apology"], 1);
    assert_eq!(stats["recommendations_by_kind"]["financial_redress"], 1);
    assert_eq!(stats["recommendations_by_kind"]["staff_training"], 0);
    assert_eq!(stats["cases_with_recommendations"], 1);
    assert_eq!(stats["public_reports"], 1);
    assert_eq!(
        stats["public_report_list"],
        json!([{"reference": "24 001 777", "title": "Delay in a care assessment", "decided_on": "2025-06-16",
                "published_on": "2025-08-04"}])
    );
    // With the PHSO's cases too.
    let res = app
        .get("/api/v1/statistics/ombudsman?year=2025&ombudsman=lgsco,joint,phso")
        .auth(&admin)
        .send()
        .await;
    assert_eq!(res.json()["received"], 3);
}

#[actix_web::test]
async fn ombudsman_cases_by_service_and_public_report() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let complaint = create(
        &app,
        &admin,
        json!({"directorate": "children", "kind": "complaint", "procedure": "statutory_children",
               "stage": 2, "received_on": "2025-03-03", "service_area": "SEND", "themes": ["delay"]}),
    )
    .await;
    let case = |n: u32, extra: Value| {
        let mut body = json!({"reference": format!("25 {n:03} 888"), "directorate": "children",
                              "received_on": "2025-06-02"});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let mut ids = Vec::new();
    for body in [
        // The service comes from the complaint the case follows.
        case(
            1,
            json!({"feedback_id": complaint, "decision": "upheld", "decided_on": "2025-10-06",
                       "public_report": true, "public_report_on": "2025-11-03"}),
        ),
        case(
            2,
            json!({"service_area": "SEND", "decision": "not_upheld", "decided_on": "2025-10-06",
                   "themes": ["delay", "communication", "delay"]}),
        ),
        case(3, json!({"service_area": "School Transport"})),
        case(4, json!({})),
    ] {
        let res = app
            .post("/api/v1/ombudsman-cases")
            .auth(&admin)
            .json(&body)
            .send()
            .await;
        res.assert_status(201);
        ids.push(res.json());
    }
    assert_eq!(ids[0]["service_area"], "SEND", "from the complaint");
    assert_eq!(ids[0]["public_report_on"], "2025-11-03");
    assert_eq!(ids[0]["themes"], json!(["delay"]), "from the complaint");
    assert_eq!(
        ids[1]["themes"],
        json!(["communication", "delay"]),
        "each once, in order"
    );

    let list = |query: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            let res = app
                .get(&format!("/api/v1/ombudsman-cases?{query}&sort=id"))
                .auth(admin)
                .send()
                .await;
            res.assert_status(200);
            res.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["reference"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list("service_area=SEND").await,
        ["25 001 888", "25 002 888"]
    );
    assert_eq!(
        list("service_area=SEND,School%20Transport").await,
        ["25 001 888", "25 002 888", "25 003 888"]
    );
    assert_eq!(list("public_report=true").await, ["25 001 888"]);
    assert_eq!(list("theme=delay").await, ["25 001 888", "25 002 888"]);
    assert_eq!(list("theme=communication,nothing").await, ["25 002 888"]);
    assert_eq!(list("public_report=false").await.len(), 3);

    let res = app
        .get("/api/v1/statistics/ombudsman?year=2025&group_by=service_area")
        .auth(&admin)
        .send()
        .await;
    res.assert_status(200);
    let stats = res.json();
    assert_eq!(
        stats["groups"],
        json!([
            {"key": {"service_area": null}, "received": 1, "open_at_start": 0, "carried_over": 0,
             "open_at_end": 1, "dealt_with": 0, "investigated": 0, "upheld": 0},
            {"key": {"service_area": "SEND"}, "received": 2, "open_at_start": 0, "carried_over": 0,
             "open_at_end": 0, "dealt_with": 2, "investigated": 2, "upheld": 1},
            {"key": {"service_area": "School Transport"}, "received": 1, "open_at_start": 0,
             "carried_over": 0, "open_at_end": 1, "dealt_with": 0, "investigated": 0, "upheld": 0},
        ])
    );
    let res = app
        .get("/api/v1/statistics/ombudsman?year=2025&group_by=directorate,service_area")
        .auth(&admin)
        .send()
        .await;
    assert_eq!(
        res.json()["groups"][1]["key"],
        json!({"directorate": "children", "service_area": "SEND"})
    );
    let res = app
        .get("/api/v1/statistics/ombudsman?year=2025&group_by=theme")
        .auth(&admin)
        .send()
        .await;
    let stats = res.json();
    let theme = |name: Value| {
        stats["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"]["theme"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(theme(json!("delay"))["dealt_with"], 2);
    assert_eq!(theme(json!("delay"))["upheld"], 1);
    assert_eq!(theme(json!("communication"))["received"], 1);
    assert_eq!(theme(Value::Null)["received"], 2);
    for query in [
        "group_by=colour",
        "group_by=category,category",
        "group_by=category,sub_category,directorate",
    ] {
        let res = app
            .get(&format!("/api/v1/statistics/ombudsman?year=2025&{query}"))
            .auth(&admin)
            .send()
            .await;
        assert_eq!(
            res.problem(422)["errors"][0]["field"],
            "group_by",
            "{query}"
        );
    }
    // A publication date needs a report, and cannot precede the case; a
    // blank theme is refused.
    for (extra, field) in [
        (
            json!({"public_report_on": "2025-11-03"}),
            "public_report_on",
        ),
        (
            json!({"public_report": true, "public_report_on": "2025-05-01"}),
            "public_report_on",
        ),
        // Themes are checked as a record's are.
        (json!({"themes": ["delay", " "]}), "themes[1]"),
    ] {
        let res = app
            .post("/api/v1/ombudsman-cases")
            .auth(&admin)
            .json(&case(9, extra))
            .send()
            .await;
        assert_eq!(res.problem(422)["errors"][0]["field"], field);
    }
}
