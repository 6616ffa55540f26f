//! What a file is, told by its content: the types a council attaches to a
//! complaint (PDF, Word and Excel documents, Outlook and RFC 5322 emails,
//! PNG and JPEG images, plain text), and nothing else. A file's name must
//! agree with its content: `letter.pdf` holding a PNG image is refused.

/// A type of document Redress accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// A PDF document.
    Pdf,
    /// A Word document (Office Open XML).
    Docx,
    /// An Excel workbook (Office Open XML).
    Xlsx,
    /// An Outlook message (a compound file with MAPI properties).
    Msg,
    /// An email as sent (RFC 5322).
    Eml,
    /// A PNG image.
    Png,
    /// A JPEG image.
    Jpeg,
    /// UTF-8 text.
    Text,
    /// An HTML letter made by Redress from a template (never accepted as
    /// an upload).
    Html,
}

impl FileType {
    /// Every type an upload may have.
    pub const UPLOADS: &'static [FileType] = &[
        FileType::Pdf,
        FileType::Docx,
        FileType::Xlsx,
        FileType::Msg,
        FileType::Eml,
        FileType::Png,
        FileType::Jpeg,
        FileType::Text,
    ];

    /// The media type stored and served.
    pub fn media_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Msg => "application/vnd.ms-outlook",
            FileType::Eml => "message/rfc822",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::Text => "text/plain; charset=utf-8",
            FileType::Html => "text/html; charset=utf-8",
        }
    }

    /// The file name extensions of the type.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Docx => &["docx"],
            FileType::Xlsx => &["xlsx"],
            FileType::Msg => &["msg"],
            FileType::Eml => &["eml"],
            FileType::Png => &["png"],
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::Text => &["txt", "text", "csv", "log", "md"],
            FileType::Html => &["html"],
        }
    }

    /// A name for people: "a PDF document".
    pub fn describe(self) -> &'static str {
        match self {
            FileType::Pdf => "a PDF document",
            FileType::Docx => "a Word document",
            FileType::Xlsx => "an Excel workbook",
            FileType::Msg => "an Outlook message",
            FileType::Eml => "an email",
            FileType::Png => "a PNG image",
            FileType::Jpeg => "a JPEG image",
            FileType::Text => "plain text",
            FileType::Html => "an HTML document",
        }
    }
}

/// The accepted type of `content`, if it is one.
pub fn sniff(content: &[u8]) -> Option<FileType> {
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if content.starts_with(b"%PDF-") {
        Some(FileType::Pdf)
    } else if content.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(FileType::Png)
    } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileType::Jpeg)
    } else if content.starts_with(b"PK\x03\x04") {
        office_document(content)
    } else if content.starts_with(OLE) {
        // A compound file is also an old .doc or .xls; an Outlook message
        // names its MAPI property streams `__substg1.0_…` (UTF-16).
        contains(content, &utf16le("__substg1.0_")).then_some(FileType::Msg)
    } else {
        let text = std::str::from_utf8(content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content))
            .ok()
            .filter(|text| is_plain(text))?;
        Some(if is_email(text) {
            FileType::Eml
        } else {
            FileType::Text
        })
    }
}

/// Why a file called `filename`, declared as `declared` by the client,
/// cannot be accepted with `content`; `Ok` with its type if it can.
pub fn check(filename: &str, declared: Option<&str>, content: &[u8]) -> Result<FileType, String> {
    let Some(found) = sniff(content) else {
        return Err(format!(
            "`{filename}` is not a type Redress accepts: PDF, Word (.docx), Excel (.xlsx), \
             Outlook (.msg) or .eml email, PNG, JPEG or plain text."
        ));
    };
    let extension = extension(filename);
    // An email saved as text is text.
    let found = match &extension {
        Some(ext)
            if found == FileType::Eml && FileType::Text.extensions().contains(&ext.as_str()) =>
        {
            FileType::Text
        }
        _ => found,
    };
    if let Some(extension) = extension {
        if !found.extensions().contains(&extension.as_str()) {
            return Err(format!(
                "`{filename}` is named .{extension} but its content is {}.",
                found.describe()
            ));
        }
    }
    let declared = declared
        .map(|d| {
            d.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|d| !d.is_empty() && d != "application/octet-stream");
    if let Some(declared) = declared {
        if !agrees(found, &declared) {
            return Err(format!(
                "`{filename}` was sent as {declared} but its content is {}.",
                found.describe()
            ));
        }
    }
    Ok(found)
}

/// The lower-case extension of `filename`, if it has one.
fn extension(filename: &str) -> Option<String> {
    let (stem, extension) = filename.rsplit_once('.')?;
    (!stem.is_empty() && !extension.is_empty()).then(|| extension.to_ascii_lowercase())
}

/// Whether a client's declared media type fits the type found: its own, or
/// a common alias (browsers send `text/csv` for .csv, some mailers
/// `application/x-msg`).
fn agrees(found: FileType, declared: &str) -> bool {
    let own = found.media_type().split(';').next().unwrap_or("");
    declared == own
        || match found {
            FileType::Text => declared.starts_with("text/") && declared != "text/html",
            FileType::Msg => declared == "application/x-msg" || declared == "application/msoutlook",
            FileType::Jpeg => declared == "image/pjpeg",
            FileType::Eml => declared == "text/plain",
            _ => false,
        }
}

/// A ZIP is a Word document or an Excel workbook when its parts say so.
fn office_document(content: &[u8]) -> Option<FileType> {
    if !contains(content, b"[Content_Types].xml") {
        return None;
    }
    if contains(content, b"word/document.xml") {
        Some(FileType::Docx)
    } else if contains(content, b"xl/workbook.xml") {
        Some(FileType::Xlsx)
    } else {
        None
    }
}

/// Text a person wrote: no NUL and few control characters.
fn is_plain(text: &str) -> bool {
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    !text.contains('\0') && controls * 100 <= text.len().max(1)
}

/// An email as sent starts with header lines, among them `From:`.
fn is_email(text: &str) -> bool {
    let headers: Vec<&str> = text
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .collect();
    let is_header = |line: &&str| {
        line.starts_with([' ', '\t'])
            || line.split_once(':').is_some_and(|(name, _)| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    };
    let named = |name: &str| {
        headers
            .iter()
            .any(|line| line.len() > name.len() && line[..name.len()].eq_ignore_ascii_case(name))
    };
    headers.len() >= 2
        && headers.iter().all(is_header)
        && named("from:")
        && (named("date:") || named("subject:") || named("to:"))
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with(part: &str) -> Vec<u8> {
        let mut zip = b"PK\x03\x04\x14\x00\x00\x00[Content_Types].xml....PK\x03\x04".to_vec();
        zip.extend_from_slice(part.as_bytes());
        zip
    }

    #[test]
    fn knows_each_accepted_type_by_its_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileType::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(FileType::Png));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(FileType::Jpeg)
        );
        assert_eq!(sniff(&zip_with("word/document.xml")), Some(FileType::Docx));
        assert_eq!(sniff(&zip_with("xl/workbook.xml")), Some(FileType::Xlsx));
        let mut msg = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        msg.extend(utf16le("__substg1.0_0037001F"));
        assert_eq!(sniff(&msg), Some(FileType::Msg));
        assert_eq!(
            sniff(b"From: Mrs Y <y@example.org>\r\nTo: complaints@council.example\r\nSubject: My mother's care\r\n\r\nDear Sir"),
            Some(FileType::Eml)
        );
        assert_eq!(
            sniff("Note of the call on 3 March: café.\n".as_bytes()),
            Some(FileType::Text)
        );
    }

    #[test]
    fn refuses_what_is_not_a_document() {
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), None, "a Windows program");
        assert_eq!(
            sniff(&zip_with("META-INF/MANIFEST.MF")),
            None,
            "a Java archive"
        );
        let doc = [
            0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, b'W', 0,
        ];
        assert_eq!(sniff(&doc), None, "an old Word document");
        assert_eq!(sniff(b"\0\0\0\x01binary"), None);
        assert_eq!(sniff(&[0xC3, 0x28, 0x41]), None, "invalid UTF-8");
    }

    #[test]
    fn the_name_and_the_declared_type_must_agree_with_the_content() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(
            check("photo.PNG", Some("image/png"), png),
            Ok(FileType::Png)
        );
        assert_eq!(check("photo", None, png), Ok(FileType::Png));
        assert_eq!(
            check("photo.png", Some("application/octet-stream"), png),
            Ok(FileType::Png)
        );
        let named_wrong = check("letter.pdf", None, png).unwrap_err();
        assert!(named_wrong.contains("named .pdf"), "{named_wrong}");
        let sent_wrong = check("photo.png", Some("application/pdf"), png).unwrap_err();
        assert!(
            sent_wrong.contains("sent as application/pdf"),
            "{sent_wrong}"
        );
        assert!(check("page.html", Some("text/html"), b"<p>hello</p>").is_err());
        assert_eq!(
            check("notes.csv", Some("text/csv"), b"a,b\n1,2\n"),
            Ok(FileType::Text)
        );
    }
}
