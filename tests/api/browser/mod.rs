//! Real Chromium through ChromeDriver (see `harness`): a browser per test, skipped with a
//! clear message when none is installed (`KAIZEN_REQUIRE_BROWSER=1`, as CI sets it, makes
//! that a failure). axe-core is vendored next to this file.

pub mod harness;

pub use harness::*;

#[test]
fn vendored_axe_is_the_pinned_release() {
    assert_eq!(
        axe_sha256(),
        AXE_SHA256,
        "tests/api/browser/axe.min.js is not axe-core 4.14.1"
    );
}
