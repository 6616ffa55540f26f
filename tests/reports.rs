//! The annual report, and the demo data set it is usually shown with.

use serde_json::{json, Value};

use crate::common::{get, TestApp};
use crate::demo;

pub(crate) async fn load_demo(app: &TestApp) {
    let rules = redress::timescales::TimeRules::current(&app.state)
        .await
        .unwrap();
    let today = redress::calendar::uk_today();
    // As `redress demo` does: one long transaction, without the time limit
    // of request work.
    let db = app.state.db.clone();
    actix_web::web::block(move || {
        let mut conn = db.get()?;
        redress::db::write_tx(&mut conn, |conn| demo::load(conn, &rules, today))
    })
    .await
    .expect("blocking")
    .expect("demo data");
}

#[actix_web::test]
async fn the_demo_data_reproduces_the_published_figures() {
    let app = TestApp::new().await;
    load_demo(&app).await;
    let analyst = app.as_analyst("adults").await;
    let c = get(
        &app,
        &analyst,
        "/api/v1/statistics/complaints?year=2024&directorate=adults",
    )
    .await;
    assert_eq!(
        (c["received"].as_i64(), c["responded"].as_i64()),
        (Some(222), Some(217))
    );
    let o = &c["outcomes"];
    assert_eq!(
        [
            &o["partially_upheld"],
            &o["closed_no_further_action"],
            &o["not_upheld"],
            &o["pursued_other_route"],
            &o["withdrawn"],
            &o["upheld"],
            &o["redirected"]
        ],
        [121, 25, 22, 19, 11, 10, 9]
    );
    assert_eq!(c["timeliness"]["outside_target"], 80);
    assert_eq!(c["timeliness"]["within_statutory_limit"], 217);
    let other = c["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["category"] == "Other")
        .unwrap()
        .clone();
    assert_eq!(other["count"], 23);
    let smr = get(
        &app,
        &analyst,
        "/api/v1/statistics/complaints?year=2024&directorate=adults&kind=senior_manager_review",
    )
    .await;
    assert_eq!(
        (
            smr["responded"].as_i64(),
            smr["timeliness"]["outside_target"].as_i64()
        ),
        (Some(41), Some(12))
    );
    let o = &smr["outcomes"];
    assert_eq!(
        [
            &o["upheld"],
            &o["not_upheld"],
            &o["partially_upheld"],
            &o["not_pursued_after_meeting"]
        ],
        [4, 1, 35, 1]
    );
    let mp = get(
        &app,
        &analyst,
        "/api/v1/statistics/complaints?year=2024&directorate=adults&kind=mp_enquiry",
    )
    .await;
    assert_eq!(
        (
            mp["responded"].as_i64(),
            mp["timeliness"]["outside_target"].as_i64()
        ),
        (Some(50), Some(18))
    );
    let d = get(
        &app,
        &analyst,
        "/api/v1/statistics/complaints?year=2024&directorate=adults&kind=dissatisfaction",
    )
    .await;
    assert_eq!(d["responded"], 92);
    let admin = app.as_admin().await;
    let lgsco = get(&app, &admin, "/api/v1/statistics/ombudsman?year=2024").await;
    assert_eq!(
        (
            lgsco["dealt_with"].as_i64(),
            lgsco["not_for_us"].as_i64(),
            lgsco["assessed_and_closed"].as_i64(),
            lgsco["investigated"].as_i64()
        ),
        (Some(79), Some(29), Some(27), Some(23))
    );
    assert_eq!(lgsco["uphold_rate"]["percent"], 78.3);
    assert_eq!(lgsco["upheld_per_100k"]["value"], 2.6);
    assert_eq!(lgsco["satisfactory_remedy"]["percent"], 33.3);
    assert_eq!(
        (
            lgsco["compliance"]["numerator"].as_i64(),
            lgsco["compliance"]["denominator"].as_i64()
        ),
        (Some(12), Some(12))
    );
    // Every kind, directorate and year is there, with escalations linked.
    let volumes = get(
        &app,
        &admin,
        "/api/v1/statistics/feedback?year=2024&years=4",
    )
    .await;
    for year in volumes["years"].as_array().unwrap() {
        assert!(year["total_received"].as_i64().unwrap() > 1000, "{year}");
    }
    let linked = get(&app, &admin, "/api/v1/feedback?kind=dissatisfaction&received_from=2024-04-01&received_to=2025-03-31&limit=1").await;
    assert!(linked["items"][0]["parent_id"].is_i64());
    let improvements = get(&app, &admin, "/api/v1/service-improvements?published=true").await;
    assert!(improvements["total"].as_i64().unwrap() >= 5);
    // Loading twice is refused.
    let rules = redress::timescales::TimeRules::current(&app.state)
        .await
        .unwrap();
    let again = app
        .state
        .db
        .write(move |conn| demo::load(conn, &rules, redress::calendar::uk_today()))
        .await;
    assert!(matches!(again, Err(redress::error::ApiError::Conflict(_))));
}

#[actix_web::test]
async fn the_annual_report_is_a_self_contained_printable_page() {
    let app = TestApp::new().await;
    load_demo(&app).await;
    let manager = app.as_manager("adults").await;
    let res = app
        .get("/api/v1/reports/annual?year=2024&directorate=adults")
        .auth(&manager)
        .header("accept", "text/html")
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = res.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = res.text();
    for expected in [
        "Complaints and Feedback Annual Report 2024-25",
        "Demo County Council",
        "Adults, Health and Commissioning",
        "Annual feedback overview",
        "Main reason for complaint",
        "Complaint outcomes",
        "Response timescales",
        "Dissatisfactions",
        "Senior manager reviews",
        "Local Government and Social Care Ombudsman",
        "Service improvements agreed in 2024-25",
        "<svg",
        ">217<",
        ">222<",
        "36.9%",
        "55.6%",
        // The adults report compares with the national adult social care
        // uphold rate, as the reference report does.
        "79.0%",
        "National average: Adult care services",
    ] {
        assert!(html.contains(expected), "the report lacks {expected}");
    }
    for forbidden in [
        "<script",
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
    ] {
        assert!(!html.contains(forbidden), "the report loads {forbidden}");
    }
    let json = app
        .get("/api/v1/reports/annual?year=2024&directorate=adults")
        .auth(&manager)
        .header("accept", "application/json")
        .send()
        .await;
    json.assert_status(200);
    let report = json.json();
    assert_eq!(report["complaints"]["responded"], 217);
    assert_eq!(report["dissatisfaction_rate"]["percent"], 42.4);
    assert_eq!(report["senior_manager_reviews"]["responded"], 41);
    assert_eq!(report["feedback"]["years"].as_array().unwrap().len(), 4);
    assert_eq!(
        report["directorate_name"],
        "Adults, Health and Commissioning"
    );
}

#[actix_web::test]
async fn the_report_is_for_statistics_readers_in_their_directorates() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    app.get("/api/v1/reports/annual?year=2024")
        .auth(&worker)
        .header("accept", "text/html")
        .send()
        .await
        .problem(403);
    let analyst = app.as_analyst("adults").await;
    app.get("/api/v1/reports/annual?year=2024&directorate=children")
        .auth(&analyst)
        .header("accept", "text/html")
        .send()
        .await
        .problem(403);
    let res = app
        .get("/api/v1/reports/annual?year=24x")
        .auth(&analyst)
        .header("accept", "text/html")
        .send()
        .await;
    assert_eq!(res.unreadable_parameters(), ["year"]);
    let empty = app
        .get("/api/v1/reports/annual?year=2024")
        .auth(&analyst)
        .header("accept", "text/html")
        .send()
        .await;
    empty.assert_status(200);
    assert!(empty
        .text()
        .contains("No service improvements were recorded"));
}

#[actix_web::test]
async fn text_in_records_cannot_inject_markup_into_the_report() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    app.post("/api/v1/feedback")
        .auth(&admin)
        .json(&serde_json::json!({"directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
            "received_on": "2024-06-03", "responded_on": "2024-06-10", "outcome": "upheld",
            "category": "<script>alert('x')</script>"}))
        .send()
        .await
        .assert_status(201);
    let html = app
        .get("/api/v1/reports/annual?year=2024")
        .auth(&admin)
        .header("accept", "text/html")
        .send()
        .await
        .text();
    assert!(!html.contains("<script>alert"), "unescaped");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
}

#[actix_web::test]
async fn a_signed_link_opens_the_report_in_a_browser_for_ten_minutes() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let res = app
        .post("/api/v1/reports/annual/links")
        .auth(&manager)
        .json(&json!({"year": 2024, "directorate": "adults", "ombudsman": ["lgsco", "phso"]}))
        .send()
        .await;
    res.assert_status(201);
    let link = res.json();
    let url = link["url"].as_str().unwrap().to_string();
    assert!(
        url.starts_with(
            "/api/v1/reports/annual?year=2024&directorate=adults&ombudsman=lgsco,phso&format=html&link="
        ),
        "{url}"
    );
    let expires: chrono::DateTime<chrono::Utc> =
        link["expires_at"].as_str().unwrap().parse().unwrap();
    let minutes = (expires - chrono::Utc::now()).num_seconds();
    assert!((590..=600).contains(&minutes), "{minutes}");

    // A browser opens it with no Authorization header.
    let res = app.get(&url).send().await;
    res.assert_status(200);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(res
        .text()
        .contains("Complaints and Feedback Annual Report 2024-25"));

    // Another page, or the same page with other choices: refused.
    let token = url.rsplit_once("link=").unwrap().1.to_string();
    for other in [
        format!("/api/v1/reports/annual?year=2023&directorate=adults&ombudsman=lgsco,phso&link={token}"),
        format!("/api/v1/reports/annual?year=2024&directorate=children&ombudsman=lgsco,phso&link={token}"),
        format!("/api/v1/statistics/complaints?year=2024&directorate=adults&ombudsman=lgsco,phso&link={token}"),
        format!("/api/v1/reports/annual?link={token}"),
    ] {
        app.get(&other).send().await.problem(401);
    }
    // A link is no bearer token, and a bearer token is no link.
    app.get("/api/v1/reports/annual?year=2024")
        .bearer(&token)
        .header("accept", "text/html")
        .send()
        .await
        .problem(401);
    app.get(&format!(
        "/api/v1/reports/annual?year=2024&link={}",
        manager.token
    ))
    .header("accept", "text/html")
    .send()
    .await
    .problem(401);
    // A tampered link.
    app.get(&format!("{url}x")).send().await.problem(401);

    // Another directorate's report: refused when the link is asked for.
    app.post("/api/v1/reports/annual/links")
        .auth(&manager)
        .json(&json!({"year": 2024, "directorate": "children"}))
        .send()
        .await
        .problem(403);
    // Bad choices: 422.
    for body in [
        json!({"year": 2024, "from": "2024-04-01", "to": "2025-03-31"}),
        json!({"year": 2024, "colour": "blue"}),
        json!({"ombudsman": []}),
    ] {
        app.post("/api/v1/reports/annual/links")
            .auth(&manager)
            .json(&body)
            .send()
            .await
            .problem(422);
    }
    // Caseworkers do not get the statistics, nor links to them.
    let worker = app.as_caseworker("adults").await;
    app.post("/api/v1/reports/annual/links")
        .auth(&worker)
        .json(&json!({"year": 2024}))
        .send()
        .await
        .problem(403);
    // Without a token at all: 401.
    app.post("/api/v1/reports/annual/links")
        .json(&json!({"year": 2024}))
        .send()
        .await
        .problem(401);

    // A change to the manager's role ends the link.
    let admin = app.as_admin().await;
    app.patch(&format!("/api/v1/users/{}", manager.id))
        .auth(&admin)
        .json(&json!({"role": "analyst"}))
        .send()
        .await
        .assert_status(200);
    app.get(&url).send().await.problem(401);
}

/// The sum of `field` over the JSON array `lines`.
fn sum(lines: &Value, field: &str) -> i64 {
    lines
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l[field].as_i64().unwrap_or(0))
        .sum()
}

#[actix_web::test]
async fn a_childrens_directorate_gets_the_childrens_layout_from_its_records() {
    let app = TestApp::new().await;
    load_demo(&app).await;
    let manager = app.as_manager("children").await;
    let json = |path: &str| {
        app.get(path)
            .auth(&manager)
            .header("accept", "application/json")
    };
    let report = json("/api/v1/reports/annual?year=2024&directorate=children")
        .send()
        .await
        .json();
    assert_eq!(report["layout"], "children");
    let sections = &report["procedures"];
    assert_eq!(
        sections["procedures"],
        json!(["statutory_children", "corporate"])
    );
    // Three stages on each procedure, each as the statistics count it, this
    // year and the year before.
    let stages = sections["stages"].as_array().unwrap();
    for procedure in ["statutory_children", "corporate"] {
        for stage in 1..=3 {
            let line = stages
                .iter()
                .find(|s| s["procedure"] == procedure && s["stage"] == stage)
                .unwrap_or_else(|| panic!("no {procedure} stage {stage}"));
            for (year, figures) in [(2024, &line["this_year"]), (2023, &line["previous_year"])] {
                let stats = get(
                    &app,
                    &manager,
                    &format!(
                        "/api/v1/statistics/complaints?year={year}&directorate=children\
                         &procedure={procedure}&stage={stage}"
                    ),
                )
                .await;
                assert_eq!(
                    figures["received"], stats["received"],
                    "{procedure} {stage}"
                );
                assert_eq!(figures["responded"], stats["responded"]);
                assert_eq!(figures["upheld"], stats["outcomes"]["upheld"]);
                assert_eq!(
                    figures["outside_original_target"],
                    stats["timeliness"]["outside_original_target"]
                );
                assert_eq!(figures["extended"], stats["timeliness"]["extended"]);
            }
            assert!(line["this_year"]["received"].as_i64().unwrap() > 0);
        }
    }
    // Four quarters, adding up to the year's feedback received.
    let quarters = sections["quarterly"].as_array().unwrap();
    assert_eq!(quarters.len(), 4);
    assert_eq!(quarters[0]["quarter"], "2024-25 Q1");
    let feedback = get(
        &app,
        &manager,
        "/api/v1/statistics/feedback?year=2024&directorate=children",
    )
    .await;
    let year = &feedback["years"][0]["received"];
    for (kind, received) in year.as_object().unwrap() {
        let quarterly: i64 = quarters
            .iter()
            .map(|q| q["received"][kind].as_i64().unwrap())
            .sum();
        assert_eq!(Some(quarterly), received.as_i64(), "{kind}");
    }
    // Every complaint has one service area, so the areas add up.
    let complaints = &report["complaints"];
    assert_eq!(
        sum(&sections["by_service_area"], "received"),
        complaints["received"].as_i64().unwrap()
    );
    assert!(sections["themes"].as_array().unwrap().len() > 1);
    assert!(
        complaints["young_people"]["advocate_assisted"]
            .as_i64()
            .unwrap()
            > 0
    );
    assert!(complaints["reopened"].as_i64().unwrap() > 0);
    let extended: i64 = stages
        .iter()
        .map(|s| s["this_year"]["extended"].as_i64().unwrap())
        .sum();
    assert!(extended > 0, "the demo year has extensions");
    // The stages across four years, oldest first, end with this year's.
    let years = sections["stages_by_year"].as_array().unwrap();
    assert_eq!(years.len(), 4);
    assert_eq!(years[3]["label"], "2024-25");
    assert_eq!(years[0]["label"], "2021-22");
    // The Ombudsman's cases by service area carry cases in and out, and
    // add up to the caseload.
    let by_area = &sections["ombudsman_by_service_area"];
    let caseload = &report["ombudsman"];
    for field in ["received", "open_at_start", "open_at_end"] {
        assert_eq!(
            sum(by_area, field),
            caseload[field].as_i64().unwrap(),
            "{field}"
        );
    }
    assert!(caseload["open_at_start"].as_i64().unwrap() > 0);
    assert!(caseload["open_at_end"].as_i64().unwrap() > 0);
    assert_eq!(
        sum(by_area, "dealt_with"),
        report["ombudsman"]["dealt_with"].as_i64().unwrap()
    );

    let html = app
        .get("/api/v1/reports/annual?year=2024&directorate=children")
        .auth(&manager)
        .header("accept", "text/html")
        .send()
        .await
        .text();
    for expected in [
        "Complaints at each stage",
        "with 2023-24 in brackets",
        "Children&#39;s social care statutory procedure",
        "Feedback received each quarter",
        "Complaints by service area",
        "Themes",
        "Young people and advocacy",
        "Reopened complaints and extensions",
        "Complaints by stage across the years",
        "Ombudsman cases by service area",
        "Carried in",
    ] {
        assert!(
            html.contains(expected) || html.contains(&expected.replace("&#39;", "'")),
            "the children's report lacks {expected}"
        );
    }
    assert!(!html.contains("Senior manager reviews"));

    // `layout=` overrides: the corporate layout has no young people.
    let corporate = app
        .get("/api/v1/reports/annual?year=2024&directorate=children&layout=corporate")
        .auth(&manager)
        .header("accept", "text/html")
        .send()
        .await
        .text();
    assert!(!corporate.contains("Young people and advocacy"));
    assert!(corporate.contains("Corporate procedure"));
    let res = app
        .get("/api/v1/reports/annual?year=2024&directorate=children&layout=glossy")
        .auth(&manager)
        .header("accept", "text/html")
        .send()
        .await;
    assert_eq!(res.unreadable_parameters(), ["layout"]);
}

#[actix_web::test]
async fn each_directorate_gets_the_layout_of_its_procedures() {
    let app = TestApp::new().await;
    load_demo(&app).await;
    let admin = app.as_admin().await;
    for (directorate, layout) in [
        ("adults", "adults"),
        ("children", "children"),
        ("corporate", "corporate"),
    ] {
        let report = app
            .get(&format!(
                "/api/v1/reports/annual?year=2024&directorate={directorate}"
            ))
            .auth(&admin)
            .header("accept", "application/json")
            .send()
            .await
            .json();
        assert_eq!(report["layout"], layout, "{directorate}");
        assert_eq!(report["procedures"].is_null(), layout == "adults");
    }
    let corporate = app
        .get("/api/v1/reports/annual?year=2024&directorate=corporate")
        .auth(&admin)
        .header("accept", "application/json")
        .send()
        .await
        .json();
    assert_eq!(corporate["procedures"]["procedures"], json!(["corporate"]));
}

#[actix_web::test]
async fn the_report_prints_to_pdf_with_chromium_or_says_it_cannot() {
    let app = TestApp::new().await;
    load_demo(&app).await;
    let manager = app.as_manager("children").await;
    let res = app
        .get("/api/v1/reports/annual?year=2024&directorate=children&format=pdf")
        .auth(&manager)
        .send()
        .await;
    if redress::reports::pdf::chromium().is_some() {
        res.assert_status(200);
        assert_eq!(res.header("content-type"), Some("application/pdf"));
        assert_eq!(
            res.header("content-disposition"),
            Some("inline; filename=\"annual-report-2024-25-children.pdf\"")
        );
        let text = res.text();
        assert!(text.starts_with("%PDF"), "not a PDF");
        // Several A4 pages.
        assert!(
            text.matches("/Type /Page\n").count()
                + text.matches("/Type /Page/").count()
                + text.matches("/Type/Page").count()
                >= 1
        );
        // Accept asks for it too.
        let accepted = app
            .get("/api/v1/reports/annual?year=2024&directorate=children")
            .auth(&manager)
            .header("accept", "application/pdf")
            .send()
            .await;
        accepted.assert_status(200);
        assert_eq!(accepted.header("content-type"), Some("application/pdf"));
    } else {
        let problem = res.problem(406);
        assert!(problem["detail"].as_str().unwrap().contains("Chromium"));
    }
    // format= wins over Accept.
    let json = app
        .get("/api/v1/reports/annual?year=2024&directorate=children&format=json")
        .auth(&manager)
        .header("accept", "text/html")
        .send()
        .await;
    json.assert_status(200);
    assert_eq!(json.json()["layout"], "children");
    let res = app
        .get("/api/v1/reports/annual?year=2024&format=docx")
        .auth(&manager)
        .send()
        .await;
    assert_eq!(res.unreadable_parameters(), ["format"]);
}

#[actix_web::test]
async fn the_demo_gives_each_directorate_handlers_with_work_and_contacts() {
    let app = TestApp::new().await;
    load_demo(&app).await;
    let admin = app.as_admin().await;
    let users = get(&app, &admin, "/api/v1/users?limit=200").await;
    for directorate in ["adults", "children", "corporate"] {
        let officer = users["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == format!("{directorate}.officer1"))
            .unwrap_or_else(|| panic!("no officer in {directorate}"));
        let id = officer["id"].as_i64().unwrap();
        let work = get(
            &app,
            &admin,
            &format!("/api/v1/feedback?handler={id}&status=open&sort=id"),
        )
        .await;
        assert!(work["total"].as_i64().unwrap() > 0, "{directorate}");
        let first = work["items"][0]["id"].as_i64().unwrap();
        let contacts = get(&app, &admin, &format!("/api/v1/feedback/{first}/contacts")).await;
        assert_eq!(
            contacts["total"], 1,
            "{directorate}: the first of every three records has a contact"
        );
        let overdue = get(
            &app,
            &admin,
            &format!("/api/v1/statistics/overdue?directorate={directorate}&group_by=handler"),
        )
        .await;
        assert!(overdue["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["handler_id"] == id));
    }
    for directorate in ["adults", "children", "corporate"] {
        let overdue = get(
            &app,
            &admin,
            &format!("/api/v1/actions?directorate={directorate}&overdue=true"),
        )
        .await;
        assert!(
            overdue["total"].as_i64().unwrap() > 0,
            "{directorate}: overdue actions"
        );
        let done = get(
            &app,
            &admin,
            &format!("/api/v1/actions?directorate={directorate}&completed=true&limit=100"),
        )
        .await;
        assert!(
            done["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["late"] == true),
            "{directorate}: some promises kept late"
        );
        // A complaint reopened some 166 to 226 days ago: in the financial
        // year of the middle day, or the one either side.
        let day = redress::calendar::uk_today() - chrono::Duration::days(196);
        let year = redress::statistics::Period::financial_year_of(day).start_year();
        let mut reopened = 0;
        for y in [year - 1, year, year + 1] {
            let stats = get(
                &app,
                &admin,
                &format!("/api/v1/statistics/complaints?year={y}&directorate={directorate}"),
            )
            .await;
            reopened += stats["reopenings"]["reopened"].as_i64().unwrap();
        }
        assert_eq!(reopened, 1, "{directorate}: a reopened complaint");
    }
    let cases = get(
        &app,
        &admin,
        "/api/v1/ombudsman-cases?handler=none&decision=upheld",
    )
    .await;
    assert!(
        cases["total"].as_i64().unwrap() > 0,
        "decided cases stay unassigned"
    );
}
