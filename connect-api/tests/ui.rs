//! Compile-fail tests: the registration macros reject types that do not implement the plugin
//! traits, with a message that names the missing trait.

#[test]
fn registration_macros_reject_wrong_types() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
