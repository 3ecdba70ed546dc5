//! The two halves agree: Kotlin command names, reject codes, the SPP UUID, the class Rust
//! registers, and the manifest's permissions.

use zhifa_spp_plugin::transport::command;
use zhifa_spp_plugin::{ANDROID_CLASS, ANDROID_PACKAGE, SPP_UUID, SppError};

fn read(rel: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

fn kotlin() -> String {
    read(&format!("android/src/main/java/{}/{ANDROID_CLASS}.kt", ANDROID_PACKAGE.replace('.', "/")))
}

#[test]
fn rust_registers_the_kotlin_class() {
    let kt = kotlin();
    assert!(kt.contains(&format!("package {ANDROID_PACKAGE}\n")));
    assert!(kt.contains(&format!("class {ANDROID_CLASS}(private val activity: Activity) : Plugin(activity)")));
    assert!(read("android/build.gradle.kts").contains(&format!("namespace = \"{ANDROID_PACKAGE}\"")));
}

#[test]
fn every_command_rust_calls_is_a_kotlin_command() {
    let kt = kotlin();
    for c in [command::CONNECT, command::SEND, command::CLOSE, command::LIST_PAIRED] {
        assert!(kt.contains(&format!("@Command\n    fun {c}(invoke: Invoke)")), "no @Command fun {c}");
        assert!(kt.contains(&format!("\"{c}\" -> ")), "{c} not dispatched");
    }
}

#[test]
fn kotlin_and_rust_use_the_same_spp_uuid() {
    assert!(kotlin().contains(&format!("UUID.fromString(\"{SPP_UUID}\")")));
    assert_eq!(SPP_UUID, "00001101-0000-1000-8000-00805F9B34FB");
}

#[test]
fn every_kotlin_reject_code_is_known_to_rust() {
    let kt = kotlin();
    let mut codes: Vec<&str> = kt
        .split('"')
        .filter(|s| s.len() > 3 && s.chars().all(|c| c.is_ascii_uppercase() || c == '_') && s.contains('_'))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(
        codes,
        [
            "BLUETOOTH_OFF",
            "PERMISSION_DENIED",
            "PRINTER_BAD_ADDRESS",
            "PRINTER_NOT_PAIRED",
            "PRINTER_SEND_FAILED",
            "PRINTER_UNREACHABLE",
            "SPP_PLUGIN"
        ]
    );
    for code in codes {
        let e = SppError::from_reject("AA:BB:CC:DD:EE:FF", Some(code), Some("x"));
        if code == "SPP_PLUGIN" {
            assert!(matches!(e, SppError::Plugin(_)));
        } else {
            assert_eq!(e.code(), code, "Rust maps {code} to its own variant");
        }
    }
}

#[test]
fn manifest_declares_the_bluetooth_permissions_per_api_level() {
    let m = read("android/src/main/AndroidManifest.xml");
    assert!(m.contains(r#"<uses-permission android:name="android.permission.BLUETOOTH_CONNECT" />"#));
    assert!(
        m.contains(r#"<uses-permission android:name="android.permission.BLUETOOTH" android:maxSdkVersion="30" />"#)
    );
    assert!(m.contains(r#"android:name="android.permission.BLUETOOTH_ADMIN" android:maxSdkVersion="30""#));
    let kt = kotlin();
    assert!(kt.contains("Permission(strings = [Manifest.permission.BLUETOOTH_CONNECT], alias = ALIAS_BLUETOOTH)"));
    assert!(kt.contains("Build.VERSION.SDK_INT < Build.VERSION_CODES.S"), "runtime request only from API 31");
}
