//! The pages' static files, built into the binary: KERN UX's CSS, the Fira Sans faces it
//! uses (Latin subsets), htmx, and our own small stylesheet and script. `refresh.sh` fetches
//! the vendored ones at pinned versions and records their checksums. They are served under `/assets/<digest>/`,
//! where the digest changes with their content, so browsers may keep them for a year.
//! CSS and scripts are compressed once, at first use, and sent compressed to every
//! browser that accepts gzip; the fonts are compressed already.

use std::io::Write;
use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use sha2::{Digest, Sha256};

struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    /// Gzip of `bytes` for text files.
    gzip: Option<Vec<u8>>,
}

macro_rules! asset {
    ($path:literal, $type:literal) => {
        ($path, $type, include_bytes!(concat!("assets/", $path)).as_slice())
    };
}

const FILES: [(&str, &str, &[u8]); 11] = [
    asset!("kern/kern.min.css", "text/css; charset=utf-8"),
    asset!("kern/fonts/fira-sans.css", "text/css; charset=utf-8"),
    asset!("kern/fonts/fira-sans/fira-sans-latin-400-normal.woff2", "font/woff2"),
    asset!("kern/fonts/fira-sans/fira-sans-latin-500-normal.woff2", "font/woff2"),
    asset!("kern/fonts/fira-sans/fira-sans-latin-600-normal.woff2", "font/woff2"),
    asset!(
        "kern/fonts/fira-sans/fira-sans-latin-ext-400-normal.woff2",
        "font/woff2"
    ),
    asset!(
        "kern/fonts/fira-sans/fira-sans-latin-ext-500-normal.woff2",
        "font/woff2"
    ),
    asset!(
        "kern/fonts/fira-sans/fira-sans-latin-ext-600-normal.woff2",
        "font/woff2"
    ),
    asset!("htmx/htmx.min.js", "text/javascript; charset=utf-8"),
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
];

struct Assets {
    prefix: String,
    files: Vec<Asset>,
}

static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let mut digest = Sha256::new();
    let files = FILES
        .iter()
        .map(|&(path, content_type, bytes)| {
            digest.update(path.as_bytes());
            digest.update(bytes);
            let gzip = (!content_type.starts_with("font/")).then(|| gzip(bytes));
            Asset {
                path,
                content_type,
                bytes,
                gzip,
            }
        })
        .collect();
    let hex: String = digest.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    Assets {
        prefix: format!("/assets/{hex}"),
        files,
    }
});

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// `/assets/<digest>`: where the pages link their files.
pub fn prefix() -> &'static str {
    &ASSETS.prefix
}

/// One file. Under the current digest it may be cached for a year; a page that still
/// names an older digest gets today's file, revalidated on every use.
#[get("/assets/{digest}/{path:.*}")]
pub async fn serve(req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (digest, path) = path.into_inner();
    let Some(asset) = ASSETS.files.iter().find(|a| a.path == path) else {
        return HttpResponse::NotFound().finish();
    };
    let current = ASSETS.prefix.ends_with(&format!("/{digest}"));
    let mut res = HttpResponse::Ok();
    res.content_type(asset.content_type)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((
            header::CACHE_CONTROL,
            if current {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            },
        ));
    let accepts_gzip = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    match &asset.gzip {
        Some(gz) if accepts_gzip => {
            res.insert_header((header::CONTENT_ENCODING, "gzip"));
            res.body(gz.clone())
        }
        // Fonts are compressed already; `identity` keeps the response compressor off them.
        _ if asset.gzip.is_none() => {
            res.insert_header((header::CONTENT_ENCODING, "identity"));
            res.body(asset.bytes)
        }
        _ => res.body(asset.bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vendored files are exactly what `refresh.sh` recorded from the npm registry.
    #[test]
    fn vendored_files_match_their_checksums() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/assets");
        let sums = std::fs::read_to_string(dir.join("CHECKSUMS.sha256")).unwrap();
        let mut checked = 0;
        for line in sums.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let (sum, file) = line.split_once("  ").unwrap();
            let bytes = std::fs::read(dir.join(file)).unwrap();
            let actual: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(actual, sum, "{file} differs from CHECKSUMS.sha256 (run refresh.sh)");
            checked += 1;
        }
        // Every vendored file the pages use is covered.
        for (path, _, _) in FILES.iter().filter(|(p, _, _)| !p.starts_with("app.")) {
            assert!(sums.contains(&format!("  {path}\n")), "{path} has no checksum");
        }
        assert!(checked >= 9);
    }

    #[test]
    fn text_assets_are_compressed_and_the_prefix_names_their_content() {
        let css = ASSETS.files.iter().find(|a| a.path == "kern/kern.min.css").unwrap();
        let gz = css.gzip.as_ref().unwrap();
        assert!(gz.len() * 4 < css.bytes.len(), "{} of {}", gz.len(), css.bytes.len());
        assert!(prefix().starts_with("/assets/") && prefix().len() == "/assets/".len() + 12);
        assert!(
            ASSETS
                .files
                .iter()
                .filter(|a| a.path.ends_with(".woff2"))
                .all(|a| a.gzip.is_none())
        );
    }
}
