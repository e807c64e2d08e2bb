//! Build information for `GET /`: the commit this worker was built from, and the Apache Kafka
//! release whose Connect it is tested against (interop/apache/pom.xml).

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!s.is_empty()).then_some(s)
}

fn main() {
    // A packaged build (no git) may say where it came from through the environment.
    println!("cargo:rerun-if-env-changed=CONNECT_GIT_COMMIT");
    let commit = std::env::var("CONNECT_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=16", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=CONNECT_GIT_COMMIT={commit}");
    // Rebuilt when HEAD moves: HEAD itself, the branch it names, and packed refs.
    for path in [
        git(&["rev-parse", "--git-path", "HEAD"]),
        git(&["symbolic-ref", "-q", "HEAD"]).and_then(|r| git(&["rev-parse", "--git-path", &r])),
        git(&["rev-parse", "--git-path", "packed-refs"]),
    ]
    .into_iter()
    .flatten()
    {
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }

    let pom = Path::new("../interop/apache/pom.xml");
    println!("cargo:rerun-if-changed={}", pom.display());
    let kafka = std::fs::read_to_string(pom)
        .ok()
        .and_then(|text| {
            let start = text.find("<kafka.version>")? + "<kafka.version>".len();
            let end = start + text[start..].find("</kafka.version>")?;
            Some(text[start..end].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=CONNECT_APACHE_KAFKA_VERSION={kafka}");
}
