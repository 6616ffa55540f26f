//! Documents: uploads checked by size and content, listed, downloaded,
//! deleted, hidden from analysts, and gone with the record's redaction or
//! erasure, on disk or in the database.

use serde_json::json;

use crate::common::{get, post, Resp, TestApp, TestUser};

/// The start of a PDF file, and enough after it to be one.
const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// The start of a PNG image.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

/// One part of a multipart upload.
pub struct Part<'a> {
    name: &'a str,
    filename: Option<&'a str>,
    content_type: Option<&'a str>,
    content: &'a [u8],
}

/// The `file` part.
pub fn file<'a>(filename: &'a str, content_type: &'a str, content: &'a [u8]) -> Part<'a> {
    Part {
        name: "file",
        filename: Some(filename),
        content_type: Some(content_type),
        content,
    }
}

/// A text part.
pub fn text<'a>(name: &'a str, value: &'a str) -> Part<'a> {
    Part {
        name,
        filename: None,
        content_type: None,
        content: value.as_bytes(),
    }
}

/// A `multipart/form-data` body of `parts`, and its content type.
pub fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "redress-test-boundary-7d1f";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(filename) = part.filename {
            disposition.push_str(&format!("; filename=\"{filename}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(content_type) = part.content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(part.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Upload `parts` to `path` as `user`.
pub async fn upload(app: &TestApp, user: &TestUser, path: &str, parts: &[Part<'_>]) -> Resp {
    let (content_type, body) = multipart(parts);
    app.post(path)
        .auth(user)
        .header("content-type", &content_type)
        .body(body)
        .send()
        .await
}

async fn complaint(app: &TestApp, user: &TestUser, directorate: &str) -> i64 {
    post(
        app,
        user,
        "/api/v1/feedback",
        json!({"directorate": directorate, "kind": "enquiry", "received_on": "2026-11-02",
               "complainant": {"name": "Mrs Y"}}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// The files under the app's documents folder.
fn files_on_disk(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            count(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    count(&app.documents_dir)
}

fn sha256_hex(content: &[u8]) -> String {
    redress::documents::model::digest(content)
}

#[actix_web::test]
async fn a_document_is_attached_listed_downloaded_and_deleted() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let id = complaint(&app, &manager, "adults").await;
    let path = format!("/api/v1/feedback/{id}/documents");

    let res = upload(
        &app,
        &worker,
        &path,
        &[
            text("kind", "letter_out"),
            text("title", "Acknowledgement"),
            file("Acknowledgement – Mrs Y.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    res.assert_status(201);
    let document = res.json();
    let href = document["href"].as_str().unwrap().to_string();
    assert_eq!(res.header("location"), Some(href.as_str()));
    assert_eq!(document["entity"], "feedback");
    assert_eq!(document["record_id"], id);
    assert_eq!(document["kind"], "letter_out");
    assert_eq!(document["title"], "Acknowledgement");
    assert_eq!(document["filename"], "Acknowledgement – Mrs Y.pdf");
    assert_eq!(document["content_type"], "application/pdf");
    assert_eq!(document["size_bytes"], PDF.len());
    assert_eq!(document["sha256"], sha256_hex(PDF));
    assert_eq!(document["created_by"], worker.username.as_str());
    assert_eq!(files_on_disk(&app), 1, "kept on disk by default");

    // The title defaults to the file's name.
    let png = upload(
        &app,
        &worker,
        &path,
        &[
            text("kind", "evidence"),
            file("photo.png", "image/png", PNG),
        ],
    )
    .await;
    png.assert_status(201);
    assert_eq!(png.json()["title"], "photo.png");
    assert_eq!(png.json()["content_type"], "image/png");

    let page = get(&app, &worker, &path).await;
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"][0]["title"], "photo.png", "newest first");

    let download = app.get(&href).auth(&manager).send().await;
    download.assert_status(200);
    assert_eq!(download.body.as_ref(), PDF);
    assert_eq!(download.header("content-type"), Some("application/pdf"));
    let disposition = download.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"Acknowledgement _ Mrs Y.pdf\""),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''Acknowledgement%20%E2%80%93%20Mrs%20Y.pdf"),
        "{disposition}"
    );
    assert_eq!(download.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(download.header("cache-control"), Some("private, no-store"));

    // The same file again on the same record is a duplicate.
    let again = upload(
        &app,
        &manager,
        &path,
        &[
            text("kind", "letter_out"),
            file("copy.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    let problem = again.problem(409);
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("document {}", document["id"])),
        "{detail}"
    );

    // An Ombudsman case takes documents the same way.
    let case = post(
        &app,
        &manager,
        "/api/v1/ombudsman-cases",
        json!({"reference": "26 003 003", "directorate": "adults", "received_on": "2026-11-02"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let case_path = format!("/api/v1/ombudsman-cases/{case}/documents");
    let on_case = upload(
        &app,
        &manager,
        &case_path,
        &[
            text("kind", "investigation_report"),
            file("draft.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    on_case.assert_status(201);
    assert_eq!(on_case.json()["entity"], "ombudsman_case");
    assert_eq!(get(&app, &manager, &case_path).await["total"], 1);

    // Deleting one removes its file; its history stays.
    app.delete(&href)
        .auth(&worker)
        .send()
        .await
        .assert_status(204);
    app.get(&href).auth(&worker).send().await.problem(404);
    app.delete(&href).auth(&worker).send().await.problem(404);
    assert_eq!(get(&app, &worker, &path).await["total"], 1);
    assert_eq!(files_on_disk(&app), 2);
}

#[actix_web::test]
async fn uploads_are_limited_in_size_and_checked_by_content() {
    let app = TestApp::with_env(&[("DOCUMENTS_MAX_BYTES", "2048")]).await;
    let worker = app.as_caseworker("adults").await;
    let id = complaint(&app, &worker, "adults").await;
    let path = format!("/api/v1/feedback/{id}/documents");

    let big = [b"%PDF-1.7\n".as_slice(), &[b'x'; 3000]].concat();
    let res = upload(
        &app,
        &worker,
        &path,
        &[
            text("kind", "evidence"),
            file("big.pdf", "application/pdf", &big),
        ],
    )
    .await;
    let problem = res.problem(413);
    assert!(
        problem["detail"].as_str().unwrap().contains("2048"),
        "{problem}"
    );

    // A PNG named as a PDF, a PNG sent as a PDF, a program, an HTML page.
    for (name, declared, content, words) in [
        ("letter.pdf", "application/octet-stream", PNG, "named .pdf"),
        (
            "photo.png",
            "application/pdf",
            PNG,
            "sent as application/pdf",
        ),
        (
            "setup.exe",
            "application/octet-stream",
            b"MZ\x90\0\x03\0\0\0\x04\0".as_slice(),
            "not a type",
        ),
        (
            "page.html",
            "text/html",
            b"<script>alert(1)</script>".as_slice(),
            "named .html",
        ),
    ] {
        let res = upload(
            &app,
            &worker,
            &path,
            &[text("kind", "evidence"), file(name, declared, content)],
        )
        .await;
        let problem = res.problem(415);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(words), "{name}: {detail}");
    }

    // Not multipart at all.
    app.post(&path)
        .auth(&worker)
        .json(&json!({"kind": "evidence"}))
        .send()
        .await
        .problem(415);

    // Parts missing, unknown or wrong.
    let res = upload(&app, &worker, &path, &[text("kind", "evidence")]).await;
    assert_eq!(res.invalid_fields(), ["file"]);
    let res = upload(
        &app,
        &worker,
        &path,
        &[text("kind", "memo"), file("a.txt", "text/plain", b"Note")],
    )
    .await;
    assert_eq!(res.invalid_fields(), ["kind"]);
    let res = upload(
        &app,
        &worker,
        &path,
        &[
            text("kind", "other"),
            text("colour", "red"),
            file("a.txt", "text/plain", b"Note"),
        ],
    )
    .await;
    assert_eq!(res.invalid_fields(), ["colour"]);
    let long_title = "t".repeat(201);
    let res = upload(
        &app,
        &worker,
        &path,
        &[
            text("kind", "other"),
            text("title", &long_title),
            file("a.txt", "text/plain", b"Note"),
        ],
    )
    .await;
    assert_eq!(res.invalid_fields(), ["title"]);
    let res = upload(
        &app,
        &worker,
        &path,
        &[text("kind", "other"), file("empty.txt", "text/plain", b"")],
    )
    .await;
    assert_eq!(res.invalid_fields(), ["file"]);

    assert_eq!(get(&app, &worker, &path).await["total"], 0);
    assert_eq!(files_on_disk(&app), 0, "nothing refused is kept");

    // Every accepted type, named as it is.
    let mut msg = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
    msg.extend(
        "__substg1.0_0037001F"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    let docx = b"PK\x03\x04\x14\0[Content_Types].xml..PK\x03\x04word/document.xml".to_vec();
    let xlsx = b"PK\x03\x04\x14\0[Content_Types].xml..PK\x03\x04xl/workbook.xml".to_vec();
    let eml = b"From: Mrs Y <y@example.org>\r\nSubject: Care\r\n\r\nDear Sir".to_vec();
    for (name, content, media_type) in [
        (
            "a.docx",
            docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "a.xlsx",
            xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("a.msg", msg, "application/vnd.ms-outlook"),
        ("a.eml", eml, "message/rfc822"),
        (
            "a.jpg",
            vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F'],
            "image/jpeg",
        ),
        (
            "a.txt",
            b"Phoned Mrs Y.".to_vec(),
            "text/plain; charset=utf-8",
        ),
    ] {
        let res = upload(
            &app,
            &worker,
            &path,
            &[
                text("kind", "other"),
                file(name, "application/octet-stream", &content),
            ],
        )
        .await;
        res.assert_status(201);
        assert_eq!(res.json()["content_type"], media_type, "{name}");
    }
}

#[actix_web::test]
async fn analysts_and_other_directorates_see_no_document() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let analyst = app.as_analyst("adults").await;
    let other = app.as_caseworker("children").await;
    let id = complaint(&app, &worker, "adults").await;
    let path = format!("/api/v1/feedback/{id}/documents");
    let document = upload(
        &app,
        &worker,
        &path,
        &[
            text("kind", "email"),
            file("a.txt", "text/plain", b"Dear Sir"),
        ],
    )
    .await
    .json();
    let href = document["href"].as_str().unwrap();

    app.get(&path).auth(&analyst).send().await.problem(403);
    app.get(href).auth(&analyst).send().await.problem(403);
    upload(
        &app,
        &analyst,
        &path,
        &[text("kind", "email"), file("b.txt", "text/plain", b"x")],
    )
    .await
    .problem(403);
    app.delete(href).auth(&analyst).send().await.problem(403);

    app.get(&path).auth(&other).send().await.problem(404);
    app.get(href).auth(&other).send().await.problem(404);
    app.delete(href).auth(&other).send().await.problem(404);
    upload(
        &app,
        &other,
        &path,
        &[text("kind", "email"), file("b.txt", "text/plain", b"x")],
    )
    .await
    .problem(404);

    app.get(href).send().await.problem(401);
    app.get("/api/v1/documents/999999")
        .auth(&worker)
        .send()
        .await
        .problem(404);
}

/// The contents kept: files on disk and rows in the database.
async fn stored(app: &TestApp) -> i64 {
    files_on_disk(app) as i64 + stored_contents(app).await
}

/// The documents' contents left in the database.
async fn stored_contents(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use redress::db::schema::document_contents;
    app.state
        .db
        .run(|conn| Ok(document_contents::table.count().get_result::<i64>(conn)?))
        .await
        .unwrap()
}

async fn redaction_and_erasure_delete_the_contents(app: TestApp, on_disk: bool) {
    let manager = app.as_manager("adults").await;
    let id = complaint(&app, &manager, "adults").await;
    let path = format!("/api/v1/feedback/{id}/documents");
    let document = upload(
        &app,
        &manager,
        &path,
        &[
            text("kind", "letter_in"),
            text("title", "Letter from Mrs Y"),
            file("mrs-y.txt", "text/plain", b"Dear Sir, my mother"),
        ],
    )
    .await
    .json();
    let href = document["href"].as_str().unwrap();
    assert_eq!(stored(&app).await, 1);
    assert_eq!(files_on_disk(&app) == 1, on_disk);
    assert_eq!(
        app.get(href).auth(&manager).send().await.body.as_ref(),
        b"Dear Sir, my mother"
    );

    app.post(&format!("/api/v1/feedback/{id}/redact"))
        .auth(&manager)
        .send()
        .await
        .assert_status(200);
    let page = get(&app, &manager, &path).await;
    let redacted = &page["items"][0];
    assert_eq!(redacted["title"], "[redacted]");
    assert_eq!(redacted["filename"], "[redacted]");
    assert!(redacted["redacted_at"].is_string());
    assert_eq!(
        redacted["sha256"], document["sha256"],
        "the digest is not personal data"
    );
    app.get(href).auth(&manager).send().await.problem(410);
    assert_eq!(stored(&app).await, 0, "the content is deleted");
    let history = app.table_text("audit_log").await.join("\n");
    assert!(
        !history.contains("Letter from Mrs Y") && !history.contains("mrs-y.txt"),
        "{history}"
    );

    // Erasing a record deletes its documents.
    let other = complaint(&app, &manager, "adults").await;
    let other_path = format!("/api/v1/feedback/{other}/documents");
    let second = upload(
        &app,
        &manager,
        &other_path,
        &[text("kind", "evidence"), file("p.png", "image/png", PNG)],
    )
    .await
    .json();
    assert_eq!(stored(&app).await, 1);
    app.post(&format!("/api/v1/feedback/{other}/erase"))
        .auth(&manager)
        .json(&json!({"reason": "erasure_request"}))
        .send()
        .await
        .assert_status(200);
    app.get(second["href"].as_str().unwrap())
        .auth(&manager)
        .send()
        .await
        .problem(404);
    assert_eq!(stored(&app).await, 0);
}

#[actix_web::test]
async fn redaction_and_erasure_delete_document_files() {
    redaction_and_erasure_delete_the_contents(TestApp::new().await, true).await;
}

#[actix_web::test]
async fn documents_may_be_kept_in_the_database() {
    let app = TestApp::with_env(&[("DOCUMENTS_STORAGE", "database")]).await;
    redaction_and_erasure_delete_the_contents(app, false).await;
}

#[actix_web::test]
async fn a_document_kept_on_disk_stays_readable_when_storage_moves_to_the_database() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let id = complaint(&app, &worker, "adults").await;
    let path = format!("/api/v1/feedback/{id}/documents");
    let on_disk = upload(
        &app,
        &worker,
        &path,
        &[text("kind", "other"), file("a.txt", "text/plain", b"first")],
    )
    .await
    .json();
    let moved = app.sibling(&[("DOCUMENTS_STORAGE", "database")]).await;
    let in_db = upload(
        &moved,
        &worker,
        &path,
        &[
            text("kind", "other"),
            file("b.txt", "text/plain", b"second"),
        ],
    )
    .await
    .json();
    for (document, content) in [
        (&on_disk, b"first".as_slice()),
        (&in_db, b"second".as_slice()),
    ] {
        let res = moved
            .get(document["href"].as_str().unwrap())
            .auth(&worker)
            .send()
            .await;
        assert_eq!(res.body.as_ref(), content);
    }
    assert_eq!(stored_contents(&moved).await, 1);
}

#[actix_web::test]
async fn a_backup_copies_the_document_files() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let id = complaint(&app, &worker, "adults").await;
    let document = upload(
        &app,
        &worker,
        &format!("/api/v1/feedback/{id}/documents"),
        &[text("kind", "evidence"), file("p.png", "image/png", PNG)],
    )
    .await
    .json();
    let copy = std::env::temp_dir().join(format!(
        "redress_documents_backup_{id}_{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&copy);
    let copied = redress::documents::storage::copy_files(&app.documents_dir, &copy).unwrap();
    assert_eq!(copied, 1);
    assert!(
        redress::documents::storage::copy_files(&app.documents_dir, &copy).is_err(),
        "an existing folder is not overwritten"
    );
    // An instance reading the copy serves the document.
    let restored = app
        .sibling(&[("DOCUMENTS_DIR", copy.to_str().unwrap())])
        .await;
    let res = restored
        .get(document["href"].as_str().unwrap())
        .auth(&worker)
        .send()
        .await;
    assert_eq!(res.body.as_ref(), PNG);
    std::fs::remove_dir_all(&copy).unwrap();
}
