//! docker-compose.yml is checked by parsing it (no Docker engine runs on these machines;
//! `.ci/run` also validates it with `docker-compose config` where that tool installs).

use std::path::Path;

fn load(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

#[test]
fn compose_runs_the_app_on_postgres_16() {
    let doc: serde_yaml::Value = serde_yaml::from_str(&load("docker-compose.yml")).unwrap();
    let services = &doc["services"];
    let db = &services["db"];
    assert_eq!(db["image"].as_str(), Some("postgres:16"));
    assert!(db["healthcheck"]["test"].is_sequence());
    assert!(
        db["volumes"]
            .as_sequence()
            .unwrap()
            .iter()
            .any(|v| v.as_str().unwrap().starts_with("pgdata:"))
    );

    let app = &services["app"];
    assert_eq!(app["build"].as_str(), Some("."));
    assert_eq!(app["depends_on"]["db"]["condition"].as_str(), Some("service_healthy"));
    assert!(
        app["healthcheck"]["test"]
            .as_sequence()
            .unwrap()
            .iter()
            .any(|v| v.as_str() == Some("http://127.0.0.1:8080/readyz"))
    );
    let env = app["environment"].as_mapping().unwrap();
    let url = env[&serde_yaml::Value::from("DATABASE_URL")].as_str().unwrap();
    assert!(url.starts_with("postgres://") && url.contains("@db:5432/"));
    assert!(env.contains_key(serde_yaml::Value::from("KAIZEN_JWT_SECRET")));
    assert!(
        doc["volumes"]
            .as_mapping()
            .unwrap()
            .contains_key(serde_yaml::Value::from("pgdata"))
    );

    // Every variable the compose file sets is documented in the README.
    let readme = load("README.md");
    for key in env.keys() {
        let key = key.as_str().unwrap();
        assert!(readme.contains(&format!("`{key}`")), "README does not document {key}");
    }
}

#[test]
fn dockerfile_is_multi_stage_with_a_healthcheck() {
    let dockerfile = load("Dockerfile");
    assert_eq!(dockerfile.lines().filter(|l| l.starts_with("FROM ")).count(), 2);
    assert!(dockerfile.contains("HEALTHCHECK"));
    assert!(dockerfile.contains("USER kaizen"));
    // Everything the build copies exists.
    for line in dockerfile
        .lines()
        .filter(|l| l.starts_with("COPY ") && !l.contains("--from"))
    {
        let parts: Vec<&str> = line.split_whitespace().collect();
        for src in &parts[1..parts.len() - 1] {
            assert!(
                Path::new(env!("CARGO_MANIFEST_DIR")).join(src).exists(),
                "Dockerfile copies missing {src}"
            );
        }
    }
}
