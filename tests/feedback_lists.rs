//! `GET /feedback`: every filter, sorting, paging, incremental sync, and who
//! sees which records.

use serde_json::{json, Value};

use crate::common::{TestApp, TestUser};

const FEEDBACK: &str = "/api/v1/feedback";

/// Create a record; its body.
async fn create(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let res = app.post(FEEDBACK).auth(user).json(&body).send().await;
    res.assert_status(201);
    res.json()
}

fn id_of(record: &Value) -> i64 {
    record["id"].as_i64().expect("id")
}

/// The page a list query answers (asserting 200).
async fn page(app: &TestApp, user: &TestUser, query: &str) -> Value {
    let res = app
        .get(&format!("{FEEDBACK}?{query}"))
        .auth(user)
        .send()
        .await;
    res.assert_status(200);
    res.json()
}

fn item_ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id_of)
        .collect()
}

/// The ids a list query finds, in the order listed, checking that `total`
/// agrees (one page of up to 500).
async fn ordered(app: &TestApp, user: &TestUser, query: &str) -> Vec<i64> {
    let body = page(app, user, &format!("limit=500&{query}")).await;
    let ids = item_ids(&body);
    assert_eq!(body["total"], ids.len(), "total for `{query}`");
    ids
}

/// The ids a list query finds, sorted.
async fn found(app: &TestApp, user: &TestUser, query: &str) -> Vec<i64> {
    let mut ids = ordered(app, user, query).await;
    ids.sort_unstable();
    ids
}

fn sorted(ids: &[i64]) -> Vec<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids
}

/// Eight records across the three directorates, created by an admin.
struct Fixture {
    admin: TestUser,
    /// adults, statutory_adults complaint, open (overdue), Charging,
    /// "Margaret Thornbury", external_ref CRM-1001, received 2025-01-06.
    a: i64,
    /// adults, statutory_adults complaint, responded 2025-03-03
    /// partially_upheld, Care Assessment, "John Ashworth", received 2025-02-03.
    b: i64,
    /// adults dissatisfaction escalated from `b`, responded 2025-04-07
    /// not_upheld, closed 2025-04-14, Care Assessment, received 2025-03-10.
    c: i64,
    /// adults enquiry, responded 2025-02-14 resolved, received 2025-01-31.
    d: i64,
    /// adults compliment, open (no timescale), received 2025-02-28.
    e: i64,
    /// children, statutory_children stage 2 complaint, open (overdue),
    /// "Priya Shah", external_ref CRM-1001, received 2025-01-20.
    f: i64,
    /// corporate stage 1 complaint, responded 2025-04-01 upheld, Highways,
    /// "Thornbury Garage Ltd", received 2025-03-31.
    g: i64,
    /// adults MP enquiry, open (overdue), received 2025-02-03.
    h: i64,
}

impl Fixture {
    fn all(&self) -> Vec<i64> {
        sorted(&[
            self.a, self.b, self.c, self.d, self.e, self.f, self.g, self.h,
        ])
    }

    fn adults(&self) -> Vec<i64> {
        sorted(&[self.a, self.b, self.c, self.d, self.e, self.h])
    }
}

async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.as_admin().await;
    let a = id_of(
        &create(
            app,
            &admin,
            json!({"directorate": "adults", "kind": "complaint", "procedure": "statutory_adults",
                   "stage": 1, "received_on": "2025-01-06", "category": "Charging",
                   "summary": "Charges for Home Care were wrong after the financial assessment",
                   "complainant": {"name": "Margaret Thornbury", "relationship": "self"},
                   "external_ref": "CRM-1001"}),
        )
        .await,
    );
    let b = id_of(
        &create(
            app,
            &admin,
            json!({"directorate": "adults", "kind": "complaint", "procedure": "statutory_adults",
                   "stage": 1, "received_on": "2025-02-03", "responded_on": "2025-03-03",
                   "outcome": "partially_upheld", "category": "Care Assessment",
                   "summary": "The assessment took too long",
                   "complainant": {"name": "John Ashworth", "relationship": "representative"}}),
        )
        .await,
    );
    let c = id_of(
        &create(
            app,
            &admin,
            json!({"directorate": "adults", "kind": "dissatisfaction",
                   "procedure": "statutory_adults", "received_on": "2025-03-10",
                   "parent_id": b, "category": "Care Assessment", "responded_on": "2025-04-07",
                   "outcome": "not_upheld", "closed_on": "2025-04-14",
                   "summary": "Still unhappy with the assessment",
                   "complainant": {"name": "John Ashworth"}}),
        )
        .await,
    );
    let d = id_of(
        &create(
            app,
            &admin,
            json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-01-31",
                   "responded_on": "2025-02-14", "outcome": "resolved",
                   "summary": "Opening hours of the day centre",
                   "complainant": {"name": "Olu Adebayo"}}),
        )
        .await,
    );
    let e = id_of(
        &create(
            app,
            &admin,
            json!({"directorate": "adults", "kind": "compliment", "received_on": "2025-02-28",
                   "summary": "Thank you to the reablement team"}),
        )
        .await,
    );
    let f = id_of(
        &create(
            app,
            &admin,
            json!({"directorate": "children", "kind": "complaint",
                   "procedure": "statutory_children", "stage": 2, "received_on": "2025-01-20",
                   "category": "Social Care Team",
                   "summary": "My social worker changed three times",
                   "complainant": {"name": "Priya Shah", "is_young_person": true,
                                   "advocate_assisted": true},
                   "external_ref": "CRM-1001"}),
        )
        .await,
    );
    let g = id_of(
        &create(
            app,
            &admin,
            json!({"directorate": "corporate", "kind": "complaint", "procedure": "corporate",
                   "stage": 1, "received_on": "2025-03-31", "acknowledged_on": "2025-04-01",
                   "responded_on": "2025-04-01", "outcome": "upheld", "category": "Highways",
                   "summary": "A pothole on Mill Lane damaged my car",
                   "complainant": {"name": "Thornbury Garage Ltd"}}),
        )
        .await,
    );
    let h = id_of(
        &create(
            app,
            &admin,
            json!({"directorate": "adults", "kind": "mp_enquiry", "received_on": "2025-02-03",
                   "summary": "The MP asks about care home fees",
                   "complainant": {"name": "A Member MP", "relationship": "mp"}}),
        )
        .await,
    );
    Fixture {
        admin,
        a,
        b,
        c,
        d,
        e,
        f,
        g,
        h,
    }
}

// ---------------------------------------------------------------------------
// Filters

#[actix_web::test]
async fn filters_by_directorate() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    assert_eq!(found(&app, admin, "").await, fx.all());
    assert_eq!(found(&app, admin, "directorate=adults").await, fx.adults());
    assert_eq!(found(&app, admin, "directorate=children").await, [fx.f]);
    assert_eq!(found(&app, admin, "directorate=corporate").await, [fx.g]);
    assert_eq!(
        found(&app, admin, "directorate=nowhere").await,
        Vec::<i64>::new()
    );
}

#[actix_web::test]
async fn filters_by_kind() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    assert_eq!(
        found(&app, admin, "kind=complaint").await,
        sorted(&[fx.a, fx.b, fx.f, fx.g])
    );
    assert_eq!(found(&app, admin, "kind=dissatisfaction").await, [fx.c]);
    assert_eq!(found(&app, admin, "kind=enquiry").await, [fx.d]);
    assert_eq!(found(&app, admin, "kind=compliment").await, [fx.e]);
    assert_eq!(found(&app, admin, "kind=mp_enquiry").await, [fx.h]);
    assert_eq!(
        found(&app, admin, "kind=senior_manager_review").await,
        Vec::<i64>::new()
    );
}

#[actix_web::test]
async fn filters_by_procedure_and_stage() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    assert_eq!(
        found(&app, admin, "procedure=statutory_adults").await,
        sorted(&[fx.a, fx.b, fx.c])
    );
    assert_eq!(
        found(&app, admin, "procedure=statutory_children").await,
        [fx.f]
    );
    assert_eq!(found(&app, admin, "procedure=corporate").await, [fx.g]);
    assert_eq!(
        found(&app, admin, "stage=1").await,
        sorted(&[fx.a, fx.b, fx.g])
    );
    assert_eq!(found(&app, admin, "stage=2").await, [fx.f]);
    assert_eq!(found(&app, admin, "stage=3").await, Vec::<i64>::new());
    assert_eq!(
        found(&app, admin, "procedure=statutory_adults&stage=1").await,
        sorted(&[fx.a, fx.b])
    );
}

#[actix_web::test]
async fn filters_by_status_open_responded_and_closed() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    let open = found(&app, admin, "status=open").await;
    assert_eq!(open, sorted(&[fx.a, fx.e, fx.f, fx.h]));
    assert_eq!(
        found(&app, admin, "status=responded").await,
        sorted(&[fx.b, fx.d, fx.g])
    );
    assert_eq!(found(&app, admin, "status=closed").await, [fx.c]);
    // The filter agrees with each record's own status.
    for (status, expected) in [("open", 4), ("responded", 3), ("closed", 1)] {
        let body = page(&app, admin, &format!("status={status}")).await;
        let items = body["items"].as_array().expect("items");
        assert_eq!(items.len(), expected);
        assert!(items.iter().all(|item| item["status"] == status), "{body}");
    }
}

#[actix_web::test]
async fn filters_by_outcome_and_exact_category() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    assert_eq!(found(&app, admin, "outcome=partially_upheld").await, [fx.b]);
    assert_eq!(found(&app, admin, "outcome=not_upheld").await, [fx.c]);
    assert_eq!(found(&app, admin, "outcome=resolved").await, [fx.d]);
    assert_eq!(found(&app, admin, "outcome=upheld").await, [fx.g]);
    assert_eq!(
        found(&app, admin, "outcome=withdrawn").await,
        Vec::<i64>::new()
    );
    assert_eq!(
        found(&app, admin, "category=Care%20Assessment").await,
        sorted(&[fx.b, fx.c])
    );
    assert_eq!(found(&app, admin, "category=Charging").await, [fx.a]);
    assert_eq!(
        found(&app, admin, "category=Care").await,
        Vec::<i64>::new(),
        "the category matches exactly"
    );
    assert_eq!(
        found(&app, admin, "category=Care%20Assessment&outcome=not_upheld").await,
        [fx.c]
    );
}

#[actix_web::test]
async fn received_dates_are_inclusive_at_both_ends() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    // b and h on 2025-02-03, e on 2025-02-28, c on 2025-03-10.
    assert_eq!(
        found(
            &app,
            admin,
            "received_from=2025-02-03&received_to=2025-03-10"
        )
        .await,
        sorted(&[fx.b, fx.c, fx.e, fx.h])
    );
    // One day after the first and before the last: both ends drop out.
    assert_eq!(
        found(
            &app,
            admin,
            "received_from=2025-02-04&received_to=2025-03-09"
        )
        .await,
        [fx.e]
    );
    assert_eq!(
        found(
            &app,
            admin,
            "received_from=2025-01-06&received_to=2025-01-06"
        )
        .await,
        [fx.a]
    );
    assert_eq!(found(&app, admin, "received_from=2025-03-31").await, [fx.g]);
    assert_eq!(
        found(&app, admin, "received_to=2025-01-20").await,
        sorted(&[fx.a, fx.f])
    );
    assert_eq!(
        found(
            &app,
            admin,
            "received_from=2025-03-11&received_to=2025-03-30"
        )
        .await,
        Vec::<i64>::new()
    );
}

#[actix_web::test]
async fn responded_dates_are_inclusive_at_both_ends() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    // d on 2025-02-14, b on 2025-03-03, g on 2025-04-01, c on 2025-04-07.
    assert_eq!(
        found(
            &app,
            admin,
            "responded_from=2025-02-14&responded_to=2025-04-01"
        )
        .await,
        sorted(&[fx.b, fx.d, fx.g])
    );
    assert_eq!(
        found(
            &app,
            admin,
            "responded_from=2025-02-15&responded_to=2025-03-31"
        )
        .await,
        [fx.b]
    );
    assert_eq!(
        found(
            &app,
            admin,
            "responded_from=2025-04-07&responded_to=2025-04-07"
        )
        .await,
        [fx.c]
    );
    // Records not yet responded to match no responded range.
    assert_eq!(
        found(&app, admin, "responded_from=2000-01-01").await,
        sorted(&[fx.b, fx.c, fx.d, fx.g])
    );
    assert_eq!(
        found(&app, admin, "responded_to=2025-03-03").await,
        sorted(&[fx.b, fx.d])
    );
}

#[actix_web::test]
async fn overdue_true_lists_open_records_past_their_due_date_and_false_the_rest() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    // Received today: due in the future.
    let today = redress::calendar::uk_today();
    let fresh = id_of(
        &create(
            &app,
            admin,
            json!({"directorate": "adults", "kind": "enquiry", "received_on": today}),
        )
        .await,
    );
    // Longer periods agreed (before the six months ran out) to today (due
    // today: not yet overdue) and to yesterday (overdue), on adult social
    // care complaints whose 25 working days ran out long ago.
    let extended_to = |due: chrono::NaiveDate| {
        json!({"directorate": "adults", "kind": "complaint", "procedure": "statutory_adults",
               "stage": 1, "received_on": "2025-06-02", "category": "Charging",
               "extended_due_on": due, "extension_agreed_on": "2025-11-03",
               "extension_reason": "Waiting for the provider"})
    };
    let due_today = create(&app, admin, extended_to(today)).await;
    assert_eq!(due_today["timeliness"]["due_on"], today.to_string());
    assert_eq!(due_today["timeliness"]["overdue"], false);
    let due_today = id_of(&due_today);
    let yesterday = today.pred_opt().expect("yesterday");
    let due_yesterday = id_of(&create(&app, admin, extended_to(yesterday)).await);

    let overdue = found(&app, admin, "overdue=true").await;
    assert_eq!(overdue, sorted(&[fx.a, fx.f, fx.h, due_yesterday]));
    let not_overdue = found(&app, admin, "overdue=false").await;
    assert_eq!(
        not_overdue,
        sorted(&[fx.b, fx.c, fx.d, fx.e, fx.g, fresh, due_today]),
        "responded, without a timescale, or not yet due"
    );
    // The filter agrees with each record's own clock.
    for item in page(&app, admin, "overdue=true").await["items"]
        .as_array()
        .expect("items")
    {
        assert_eq!(item["timeliness"]["overdue"], true, "{item}");
    }
    for item in page(&app, admin, "overdue=false").await["items"]
        .as_array()
        .expect("items")
    {
        assert_ne!(item["timeliness"]["overdue"], true, "{item}");
    }
    assert_eq!(
        found(&app, admin, "overdue=true&directorate=adults").await,
        sorted(&[fx.a, fx.h, due_yesterday])
    );
}

#[actix_web::test]
async fn responding_to_an_overdue_record_takes_it_off_the_overdue_list() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    let res = app
        .patch(&format!("{FEEDBACK}/{}", fx.h))
        .auth(admin)
        .json(&json!({"responded_on": "2025-03-03"}))
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(
        found(&app, admin, "overdue=true").await,
        sorted(&[fx.a, fx.f])
    );
    assert!(found(&app, admin, "overdue=false").await.contains(&fx.h));
}

#[actix_web::test]
async fn external_ref_finds_the_crms_record_in_the_callers_directorates() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    assert_eq!(
        found(&app, &fx.admin, "external_ref=CRM-1001").await,
        sorted(&[fx.a, fx.f])
    );
    let adults = app.as_integration("adults").await;
    let body = page(&app, &adults, "external_ref=CRM-1001").await;
    assert_eq!(item_ids(&body), [fx.a]);
    assert_eq!(body["total"], 1);
    assert_eq!(body["items"][0]["external_ref"], "CRM-1001");
    let children = app.as_caseworker("children").await;
    assert_eq!(
        found(&app, &children, "external_ref=CRM-1001").await,
        [fx.f]
    );
    assert_eq!(
        found(&app, &fx.admin, "external_ref=CRM-100").await,
        Vec::<i64>::new(),
        "the reference matches exactly"
    );
    assert_eq!(
        found(&app, &fx.admin, "external_ref=crm-1001").await,
        Vec::<i64>::new()
    );
}

#[actix_web::test]
async fn q_searches_reference_summary_and_complainant_name_ignoring_case() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    // Names: Margaret Thornbury (a) and Thornbury Garage Ltd (g).
    assert_eq!(
        found(&app, admin, "q=THORNBURY").await,
        sorted(&[fx.a, fx.g])
    );
    assert_eq!(
        found(&app, admin, "q=ashworth").await,
        sorted(&[fx.b, fx.c])
    );
    // Summaries.
    assert_eq!(found(&app, admin, "q=home%20care").await, [fx.a]);
    assert_eq!(found(&app, admin, "q=Pothole").await, [fx.g]);
    assert_eq!(
        found(&app, admin, "q=assessment").await,
        sorted(&[fx.a, fx.b, fx.c])
    );
    // References, in any case.
    let reference = page(&app, admin, "external_ref=CRM-1001&directorate=adults").await["items"][0]
        ["reference"]
        .as_str()
        .expect("reference")
        .to_string();
    assert!(reference.starts_with("FB-"), "{reference}");
    assert_eq!(
        found(&app, admin, &format!("q={}", reference.to_lowercase())).await,
        [fx.a]
    );
    assert_eq!(found(&app, admin, "q=fb-").await, fx.all());
    // Nothing else: not the category, not the external reference.
    assert_eq!(found(&app, admin, "q=Highways").await, Vec::<i64>::new());
    assert_eq!(found(&app, admin, "q=CRM-1001").await, Vec::<i64>::new());
    // LIKE wildcards are matched literally.
    assert_eq!(found(&app, admin, "q=%25").await, Vec::<i64>::new());
    assert_eq!(found(&app, admin, "q=_").await, Vec::<i64>::new());
    assert_eq!(found(&app, admin, "q=Thorn_ury").await, Vec::<i64>::new());
    // An empty q filters nothing.
    assert_eq!(found(&app, admin, "q=").await, fx.all());
    // q combines with the other filters.
    assert_eq!(
        found(&app, admin, "q=thornbury&directorate=corporate").await,
        [fx.g]
    );
}

#[actix_web::test]
async fn q_matches_names_with_accented_capitals_whatever_their_case() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let id = id_of(
        &create(
            &app,
            &admin,
            json!({"directorate": "adults", "kind": "comment", "received_on": "2025-01-06",
                   "complainant": {"name": "Łukasz Żółkiewski"}}),
        )
        .await,
    );
    assert_eq!(
        found(&app, &admin, "q=%C5%81ukasz").await,
        [id],
        "as written"
    );
    // "łukasz": the name's first letter in lower case.
    assert_eq!(
        found(&app, &admin, "q=%C5%82ukasz").await,
        [id],
        "lower case"
    );
    // "ŻÓŁKIEWSKI": the surname in capitals.
    assert_eq!(
        found(&app, &admin, "q=%C5%BB%C3%93%C5%81KIEWSKI").await,
        [id],
        "upper case"
    );
}

#[actix_web::test]
async fn parent_id_lists_the_records_escalated_from_one() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    assert_eq!(
        found(&app, admin, &format!("parent_id={}", fx.b)).await,
        [fx.c]
    );
    assert_eq!(
        found(&app, admin, &format!("parent_id={}", fx.a)).await,
        Vec::<i64>::new()
    );
    let res = app
        .post(&format!("{FEEDBACK}/{}/escalate", fx.a))
        .auth(admin)
        .json(&json!({"received_on": "2025-03-03"}))
        .send()
        .await;
    res.assert_status(201);
    let escalated = res.json();
    assert_eq!(escalated["kind"], "dissatisfaction");
    assert_eq!(
        found(&app, admin, &format!("parent_id={}", fx.a)).await,
        [id_of(&escalated)]
    );
    assert_eq!(
        found(&app, admin, &format!("parent_id={}", fx.b)).await,
        [fx.c]
    );
    // Another directorate's caseworker finds nothing under an adults record.
    let children = app.as_caseworker("children").await;
    assert_eq!(
        found(&app, &children, &format!("parent_id={}", fx.b)).await,
        Vec::<i64>::new()
    );
}

// ---------------------------------------------------------------------------
// Sorting, paging, sync

#[actix_web::test]
async fn sort_orders_the_list_newest_first_or_by_several_keys() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    // b and h share 2025-02-03: ties are broken by id.
    assert_eq!(
        ordered(&app, admin, "sort=-received_on").await,
        [fx.g, fx.c, fx.e, fx.b, fx.h, fx.d, fx.f, fx.a]
    );
    assert_eq!(
        ordered(&app, admin, "sort=received_on").await,
        [fx.a, fx.f, fx.d, fx.b, fx.h, fx.e, fx.c, fx.g]
    );
    // Kinds sort by their code: "complaint" before "compliment".
    assert_eq!(
        ordered(&app, admin, "sort=kind,-received_on").await,
        [fx.g, fx.b, fx.f, fx.a, fx.e, fx.c, fx.d, fx.h]
    );
    assert_eq!(
        ordered(&app, admin, "sort=-id").await,
        [fx.h, fx.g, fx.f, fx.e, fx.d, fx.c, fx.b, fx.a]
    );
    assert_eq!(
        ordered(&app, admin, "sort=-responded_on&status=responded").await,
        [fx.g, fx.b, fx.d]
    );
    assert_eq!(
        ordered(&app, admin, "sort=directorate,-received_on&kind=complaint").await,
        [fx.b, fx.a, fx.f, fx.g]
    );
}

#[actix_web::test]
async fn sorting_by_due_date_puts_the_records_without_one_last() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    // Open records, most urgent first: a (25 working days from 2025-01-06,
    // due 2025-02-10), h (10 from 2025-02-03, due 2025-02-17), f (25 from
    // 2025-01-20, due 2025-02-24); e is a compliment, with no due date.
    let open = page(&app, admin, "status=open&sort=due_on").await;
    let due: Vec<Value> = open["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["timeliness"]["due_on"].clone())
        .collect();
    assert_eq!(
        due,
        [
            json!("2025-02-10"),
            json!("2025-02-17"),
            json!("2025-02-24"),
            Value::Null
        ]
    );
    assert_eq!(item_ids(&open), [fx.a, fx.h, fx.f, fx.e]);
    // Newest first: the dated records in reverse order, wherever the
    // record without a date goes.
    let newest = ordered(&app, admin, "status=open&sort=-due_on").await;
    let dated: Vec<i64> = newest.into_iter().filter(|id| *id != fx.e).collect();
    assert_eq!(dated, [fx.f, fx.h, fx.a]);
}

#[actix_web::test]
async fn an_unknown_sort_field_is_422() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    for sort in [
        "password",
        "-complainant_name",
        "summary",
        "received_on,nope",
    ] {
        let res = app
            .get(&format!("{FEEDBACK}?sort={sort}"))
            .auth(&admin)
            .send()
            .await;
        assert_eq!(res.invalid_fields(), ["sort"], "{sort}");
    }
}

#[actix_web::test]
async fn limit_and_offset_page_through_the_list_with_the_total() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    let everything = ordered(&app, admin, "sort=received_on").await;
    let mut seen = Vec::new();
    for (offset, expected_len) in [(0, 3), (3, 3), (6, 2)] {
        let body = page(
            &app,
            admin,
            &format!("sort=received_on&limit=3&offset={offset}"),
        )
        .await;
        assert_eq!(body["total"], 8);
        assert_eq!(body["limit"], 3);
        assert_eq!(body["offset"], offset);
        let ids = item_ids(&body);
        assert_eq!(ids.len(), expected_len);
        seen.extend(ids);
    }
    assert_eq!(seen, everything);

    let beyond = page(&app, admin, "limit=3&offset=8").await;
    assert_eq!(beyond["total"], 8);
    assert_eq!(beyond["items"], json!([]));

    // Filters narrow the total, not just the page.
    let narrowed = page(&app, admin, "directorate=adults&limit=2").await;
    assert_eq!(narrowed["total"], 6);
    assert_eq!(item_ids(&narrowed).len(), 2);

    let defaults = page(&app, admin, "").await;
    assert_eq!(defaults["limit"], 50);
    assert_eq!(defaults["offset"], 0);
    let most = page(&app, admin, "limit=500").await;
    assert_eq!(most["limit"], 500);
    assert_eq!(item_ids(&most).len(), 8);
}

#[actix_web::test]
async fn bad_paging_is_422_and_unparseable_parameters_are_400_naming_them() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    for (query, field) in [
        ("limit=501", "limit"),
        ("limit=0", "limit"),
        ("limit=-5", "limit"),
        ("offset=-1", "offset"),
        ("stage=0", "stage"),
        ("stage=4", "stage"),
    ] {
        let res = app
            .get(&format!("{FEEDBACK}?{query}"))
            .auth(&admin)
            .send()
            .await;
        assert_eq!(res.invalid_fields(), [field], "{query}");
    }
    for query in [
        "limit=abc",
        "offset=ten",
        "kind=nonsense",
        "procedure=statutory",
        "status=pending",
        "outcome=great",
        "stage=two",
        "overdue=maybe",
        "parent_id=FB-000001",
        "received_from=2025-02-30",
        "responded_to=last-week",
        "updated_since=yesterday",
    ] {
        let res = app
            .get(&format!("{FEEDBACK}?{query}"))
            .auth(&admin)
            .send()
            .await;
        assert_eq!(res.status.as_u16(), 400, "{query}: {}", res.text());
        let field = query.split('=').next().unwrap();
        assert_eq!(res.unreadable_parameters(), [field], "{query}");
    }
}

#[actix_web::test]
async fn updated_since_lists_records_changed_at_or_after_the_instant() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let admin = &fx.admin;
    let h = app
        .get(&format!("{FEEDBACK}/{}", fx.h))
        .auth(admin)
        .send()
        .await
        .json();
    let h_updated = h["updated_at"].as_str().expect("updated_at").to_string();
    let since = |instant: &str| format!("updated_since={}", instant.replace('+', "%2B"));

    // At the instant of the last change: inclusive.
    assert_eq!(found(&app, admin, &since(&h_updated)).await, [fx.h]);
    assert_eq!(
        found(&app, admin, "updated_since=2000-01-01T00:00:00Z").await,
        fx.all()
    );
    assert_eq!(
        found(&app, admin, "updated_since=2999-01-01T00:00:00Z").await,
        Vec::<i64>::new()
    );

    // A change brings a record back into the sync.
    std::thread::sleep(std::time::Duration::from_millis(5));
    let res = app
        .patch(&format!("{FEEDBACK}/{}", fx.a))
        .auth(admin)
        .json(&json!({"acknowledged_on": "2025-01-07"}))
        .send()
        .await;
    res.assert_status(200);
    let a_updated = res.json()["updated_at"]
        .as_str()
        .expect("updated_at")
        .to_string();
    let instant = |text: &str| chrono::DateTime::parse_from_rfc3339(text).expect("RFC 3339");
    assert!(
        instant(&a_updated) > instant(&h_updated),
        "{a_updated} > {h_updated}"
    );
    assert_eq!(
        found(&app, admin, &since(&h_updated)).await,
        sorted(&[fx.a, fx.h])
    );
    assert_eq!(found(&app, admin, &since(&a_updated)).await, [fx.a]);
    // With another offset, the same instant.
    let offset = instant(&a_updated)
        .with_timezone(&chrono::FixedOffset::east_opt(3600).expect("offset"))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
    assert_eq!(found(&app, admin, &since(&offset)).await, [fx.a]);
}

// ---------------------------------------------------------------------------
// Who sees what

#[actix_web::test]
async fn a_caseworker_never_sees_another_directorates_records() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let caseworker = app.as_caseworker("adults").await;
    assert_eq!(found(&app, &caseworker, "").await, fx.adults());
    let body = page(&app, &caseworker, "directorate=children").await;
    assert_eq!(body["total"], 0);
    assert_eq!(body["items"], json!([]));
    assert_eq!(
        found(&app, &caseworker, "directorate=corporate").await,
        Vec::<i64>::new()
    );
    assert_eq!(found(&app, &caseworker, "q=priya").await, Vec::<i64>::new());
    assert_eq!(found(&app, &caseworker, "q=thornbury").await, [fx.a]);
    assert_eq!(
        found(&app, &caseworker, "overdue=true").await,
        sorted(&[fx.a, fx.h])
    );
    assert_eq!(
        found(&app, &caseworker, "kind=complaint").await,
        sorted(&[fx.a, fx.b])
    );
    // A manager of children sees only children.
    let manager = app.as_manager("children").await;
    assert_eq!(found(&app, &manager, "").await, [fx.f]);
    // A user of two directorates sees both.
    let both = app
        .user(redress::auth::Role::Caseworker, &["children", "corporate"])
        .await;
    assert_eq!(found(&app, &both, "").await, sorted(&[fx.f, fx.g]));
    // The admin sees everything.
    assert_eq!(found(&app, &fx.admin, "").await, fx.all());
    assert_eq!(found(&app, &fx.admin, "directorate=children").await, [fx.f]);
}

#[actix_web::test]
async fn analysts_list_records_without_the_complainant_and_cannot_search_names() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let analyst = app.as_analyst("adults").await;
    let body = page(&app, &analyst, "limit=500").await;
    assert_eq!(body["total"], 6);
    assert_eq!(sorted(&item_ids(&body)), fx.adults());
    for item in body["items"].as_array().expect("items") {
        assert_eq!(item["complainant"], Value::Null, "{item}");
        assert!(item.get("summary").is_some(), "{item}");
    }
    // Names are not searchable for them...
    assert_eq!(
        found(&app, &analyst, "q=Thornbury").await,
        Vec::<i64>::new()
    );
    assert_eq!(found(&app, &analyst, "q=ashworth").await, Vec::<i64>::new());
    assert_eq!(found(&app, &analyst, "q=Adebayo").await, Vec::<i64>::new());
    // ...but summaries are.
    assert_eq!(found(&app, &analyst, "q=home%20care").await, [fx.a]);
    assert_eq!(
        found(&app, &analyst, "q=assessment").await,
        sorted(&[fx.a, fx.b, fx.c])
    );
    // Other filters work for them as for anyone.
    assert_eq!(
        found(&app, &analyst, "kind=complaint&status=responded").await,
        [fx.b]
    );
    // A manager of the same directorate gets the complainant and finds names.
    let manager = app.as_manager("adults").await;
    let body = page(&app, &manager, "q=ashworth&sort=id").await;
    assert_eq!(item_ids(&body), [fx.b, fx.c]);
    assert_eq!(body["items"][0]["complainant"]["name"], "John Ashworth");
}

#[actix_web::test]
async fn the_integration_lists_and_finds_records_of_its_directorate() {
    let app = TestApp::new().await;
    let fx = fixture(&app).await;
    let crm = app.as_integration("children").await;
    assert_eq!(found(&app, &crm, "").await, [fx.f]);
    let mine = id_of(
        &create(
            &app,
            &crm,
            json!({"directorate": "children", "kind": "enquiry", "received_on": "2025-02-10",
                   "external_ref": "CRM-2002", "complainant": {"name": "Sam Carter"}}),
        )
        .await,
    );
    assert_eq!(found(&app, &crm, "").await, sorted(&[fx.f, mine]));
    let body = page(&app, &crm, "external_ref=CRM-2002").await;
    assert_eq!(item_ids(&body), [mine]);
    assert_eq!(body["items"][0]["complainant"]["name"], "Sam Carter");
    assert_eq!(found(&app, &crm, "kind=enquiry").await, [mine]);
    assert_eq!(
        found(&app, &crm, "directorate=adults").await,
        Vec::<i64>::new()
    );
    assert_eq!(found(&app, &crm, "q=thornbury").await, Vec::<i64>::new());
    // The admin's list holds it too.
    assert_eq!(
        found(&app, &fx.admin, "directorate=children").await,
        sorted(&[fx.f, mine])
    );
}

#[actix_web::test]
async fn the_list_needs_a_token() {
    let app = TestApp::new().await;
    app.get(FEEDBACK).send().await.problem(401);
    app.get(&format!("{FEEDBACK}?directorate=adults"))
        .bearer("not-a-token")
        .send()
        .await
        .problem(401);
}

/// `q` follows every change of the text it searches (on SQLite, the trigram
/// index is kept by triggers): a changed summary is found by its new words
/// and no longer by its old, a deleted record not at all; quotes and text
/// shorter than three characters search as written.
#[actix_web::test]
async fn q_follows_changes_deletions_and_odd_text() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let record = create(
        &app,
        &admin,
        json!({"directorate": "adults", "kind": "comment", "received_on": "2025-01-06",
               "summary": "The \"blue badge\" letter came late"}),
    )
    .await;
    let id = id_of(&record);
    assert_eq!(found(&app, &admin, "q=%22blue%20badge%22").await, [id]);
    assert_eq!(found(&app, &admin, "q=e%20l").await, [id], "two characters");
    app.patch(&format!("/api/v1/feedback/{id}"))
        .auth(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"summary": "Parking permit renewal"}))
        .send()
        .await
        .assert_status(200);
    assert_eq!(
        found(&app, &admin, "q=blue%20badge").await,
        Vec::<i64>::new()
    );
    assert_eq!(found(&app, &admin, "q=PERMIT%20REN").await, [id]);
    app.delete(&format!("/api/v1/feedback/{id}"))
        .auth(&admin)
        .header("if-match", "\"2\"")
        .send()
        .await
        .assert_status(204);
    assert_eq!(found(&app, &admin, "q=permit").await, Vec::<i64>::new());
}

#[actix_web::test]
async fn a_lists_total_follows_every_change_to_the_records_it_counts() {
    // Totals are kept between requests on SQLite (src/db/totals.rs) and
    // trusted only until the records change: through this instance or
    // another one on the same database.
    let app = TestApp::new().await;
    let other = app.sibling(&[]).await;
    let admin = app.as_admin().await;
    let total = |query: &'static str| {
        let (app, admin) = (&app, &admin);
        async move { page(app, admin, query).await["total"].as_i64().unwrap() }
    };
    let body = |themes: &[&str]| {
        json!({"directorate": "adults", "kind": "compliment", "received_on": "2025-06-02",
               "summary": "Kind staff", "themes": themes})
    };
    assert_eq!(total("directorate=adults").await, 0);
    assert_eq!(total("theme=communication").await, 0);

    let first = create(&app, &admin, body(&["communication"])).await;
    assert_eq!(total("directorate=adults").await, 1);
    assert_eq!(total("theme=communication").await, 1);
    assert_eq!(total("kind=compliment").await, 1);
    // The same query again, answered from the kept total.
    assert_eq!(total("kind=compliment").await, 1);

    let other_admin = other.as_admin().await;
    let res = other
        .post(FEEDBACK)
        .auth(&other_admin)
        .json(&body(&[]))
        .send()
        .await;
    res.assert_status(201);
    assert_eq!(total("directorate=adults").await, 2);
    assert_eq!(total("kind=compliment").await, 2);
    assert_eq!(total("theme=communication").await, 1);

    // A change of themes alone, and of the field a filter reads.
    app.patch(&format!("{FEEDBACK}/{}", id_of(&first)))
        .auth(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"themes": ["delay"], "kind": "enquiry"}))
        .send()
        .await
        .assert_status(200);
    assert_eq!(total("theme=communication").await, 0);
    assert_eq!(total("theme=delay").await, 1);
    assert_eq!(total("kind=compliment").await, 1);

    app.delete(&format!("{FEEDBACK}/{}", id_of(&first)))
        .auth(&admin)
        .header("if-match", "\"2\"")
        .send()
        .await
        .assert_status(204);
    assert_eq!(total("directorate=adults").await, 1);
    assert_eq!(total("theme=delay").await, 0);
}
