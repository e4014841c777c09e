//! `mantelkring import pc4 FILE.csv`: the binary on every backend. A file with problems is
//! refused whole (every problem by line and field, exit code 2, nothing written); a clean file is
//! imported in one go and a second import updates; `--dry-run` writes nothing.

use mantelkring_core::geo::{Coordinates, Pc4, distance_km};
use mantelkring_store::Store;
use mantelkring_store::postcodes;
use mantelkring_store::testing::TestDatabase;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const HEADER: &str = "pc4,woonplaats,gemeente,provincie,latitude,longitude,soort\n";

fn import(database_url: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mantelkring"));
    cmd.arg("import")
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("MANTELKRING_LOG", "warn")
        .current_dir(std::env::temp_dir());
    for key in ["MANTELKRING_DATA_DIR", "MANTELKRING_CONFIG"] {
        cmd.env_remove(key);
    }
    cmd.output().expect("run mantelkring")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn out(output: &Output) -> (Option<i32>, String, String) {
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn count(db: &TestDatabase) -> i64 {
    let store = db.store().await;
    let n = postcodes::count(&store).await.unwrap();
    store.close().await;
    n
}

fn pc4(s: &str) -> Pc4 {
    Pc4::parse(s).unwrap()
}

#[tokio::test]
async fn a_file_with_problems_is_refused_whole_with_every_problem_by_line() {
    for db in TestDatabase::all().await {
        let dir = crate::support::temp_dir("pc4-bad");
        let file = write(
            &dir,
            "fouten.csv",
            &format!(
                "{HEADER}\
                 2311,Leiden,Leiden,Zuid-Holland,52.1577953,4.4882196,Adres\n\
                 0311,Leiden,Leiden,Zuid-Holland,52.16,4.49,Adres\n\
                 2312,Leiden,Leiden,Zuid-Holland,52.1625,4.4919,Adres\n\
                 2313,Leiden,Leiden,Zuid-Holland,\"52,16\",4.49,Adres\n\
                 2314,Leiden,Leiden,Zuid-Holland,52.16\n\
                 2312,Leiden,Leiden,,52.16,4.49,Adres\n"
            ),
        );
        let (code, stdout, stderr) = out(&import(&db.url, &["pc4", &file]));
        assert_eq!(code, Some(2), "{stdout}\n{stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 6, "five problems and a closing line: {stderr}");
        assert!(lines[0].starts_with("regel 3, veld pc4: ongeldige postcode '0311'"));
        assert!(lines[1].starts_with("regel 5, veld latitude: '52,16' heeft een komma"));
        assert!(lines[2].starts_with("regel 6: de regel heeft 5 kolommen"));
        assert_eq!(lines[3], "regel 7, veld provincie: is leeg");
        assert_eq!(lines[4], "regel 7, veld pc4: 2312 staat ook al op regel 4");
        assert!(
            lines[5].contains("5 problemen; er is niets ingelezen"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"));
        assert!(stdout.is_empty(), "{stdout}");
        // The good lines 2 and 4 were not written either.
        assert_eq!(count(&db).await, 0, "on {}", db.backend.name());
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn a_clean_file_is_imported_and_a_second_import_updates_instead_of_duplicating() {
    for db in TestDatabase::all().await {
        let dir = crate::support::temp_dir("pc4-ok");
        let first = write(
            &dir,
            "pc4.csv",
            &format!(
                "{HEADER}\
                 2311,Leiden,Leiden,Zuid-Holland,52.1577953,4.4882196,Adres\n\
                 5671,Nuenen,\"Nuenen, Gerwen en Nederwetten\",Noord-Brabant,51.4761009,5.5466357,Adres\n\
                 4264,Veen,,Noord-Brabant,51.7793516,5.1077955,Adres + Postbus\n"
            ),
        );
        let (code, stdout, stderr) = out(&import(&db.url, &["pc4", &first]));
        assert_eq!(code, Some(0), "{stdout}\n{stderr}");
        assert!(
            stdout.contains("3 postcodegebieden ingelezen (3 nieuw, 0 bijgewerkt)"),
            "{stdout}"
        );
        assert!(stdout.contains("1 zonder gemeente"), "{stdout}");

        let store: Store = db.store().await;
        assert_eq!(postcodes::count(&store).await.unwrap(), 3);
        let nuenen = postcodes::lookup(&store, pc4("5671"))
            .await
            .unwrap()
            .expect("5671 imported");
        assert_eq!(
            nuenen.municipality.as_deref(),
            Some("Nuenen, Gerwen en Nederwetten")
        );
        assert_eq!(nuenen.centroid.latitude(), 51.4761009);

        // A newer file: 2311 moved a little, 2312 is new; the others stay.
        let second = write(
            &dir,
            "pc4-nieuw.csv",
            "pc4,woonplaats,gemeente,provincie,latitude,longitude\n\
             2311,Leiden,Leiden,Zuid-Holland,52.1580,4.4880\n\
             2312,Leiden,Leiden,Zuid-Holland,52.1625,4.4919\n",
        );
        let (code, stdout, stderr) = out(&import(&db.url, &["pc4", &second]));
        assert_eq!(code, Some(0), "{stdout}\n{stderr}");
        assert!(
            stdout.contains("2 postcodegebieden ingelezen (1 nieuw, 1 bijgewerkt)"),
            "{stdout}"
        );
        assert_eq!(postcodes::count(&store).await.unwrap(), 4);
        let leiden = postcodes::lookup(&store, pc4("2311"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (leiden.centroid.latitude(), leiden.centroid.longitude()),
            (52.1580, 4.4880)
        );
        assert!(
            postcodes::lookup(&store, pc4("4264"))
                .await
                .unwrap()
                .is_some()
        );
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn dry_run_checks_and_writes_nothing() {
    for db in TestDatabase::all().await {
        let dir = crate::support::temp_dir("pc4-dry");
        let clean = write(
            &dir,
            "pc4.csv",
            &format!("{HEADER}2311,Leiden,Leiden,Zuid-Holland,52.1577953,4.4882196,Adres\n"),
        );
        let (code, stdout, stderr) = out(&import(&db.url, &["pc4", "--dry-run", &clean]));
        assert_eq!(code, Some(0), "{stdout}\n{stderr}");
        assert!(
            stdout.contains("proefrun: 1 postcodegebieden in orde, er is niets opgeslagen"),
            "{stdout}"
        );
        // The database was not even opened: an embedded one was not created.
        if let Some(path) = db.url.strip_prefix("sqlite://") {
            assert!(!Path::new(path).exists(), "{path} was created");
        }

        let bad = write(
            &dir,
            "fout.csv",
            &format!("{HEADER}2311,Leiden,Leiden,Zuid-Holland,52.1577953,200,Adres\n"),
        );
        let (code, _, stderr) = out(&import(&db.url, &["pc4", "--dry-run", &bad]));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.starts_with(
                "regel 2, veld longitude: lengtegraad 200 ligt niet tussen -180 en 180\n"
            ),
            "{stderr}"
        );
        assert_eq!(count(&db).await, 0);
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn a_missing_file_is_named_and_help_documents_the_format() {
    let dir = crate::support::temp_dir("pc4-help");
    let url = format!("sqlite://{}/x.db", dir.display());
    let (code, _, stderr) = out(&import(&url, &["pc4", "/geen/bestand.csv"]));
    assert_eq!(code, Some(2));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("kan /geen/bestand.csv niet lezen"),
        "{stderr}"
    );

    let (code, help, _) = out(&import(&url, &["pc4", "--help"]));
    assert_eq!(code, Some(0));
    for needed in [
        "pc4,woonplaats,gemeente,provincie,latitude,longitude",
        "--dry-run",
        "regel N, veld X",
        "FILE.csv",
    ] {
        assert!(
            help.contains(needed),
            "import pc4 --help lacks {needed}: {help}"
        );
    }
    let top = Command::new(env!("CARGO_BIN_EXE_mantelkring"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&top.stdout).contains("import"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Where the reference data lies: `MANTELKRING_REFERENCE_DATA`, else `shared/data` beside the
/// repository, else the workplace's shared folder `/work/shared/data` (where a fresh clone in a
/// temporary folder, and CI, find it).
fn reference_data() -> PathBuf {
    if let Some(dir) = std::env::var_os("MANTELKRING_REFERENCE_DATA") {
        return PathBuf::from(dir);
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if beside.join("pc4_nl.csv").is_file() {
        beside
    } else {
        PathBuf::from("/work/shared/data")
    }
}

/// The full reference file (4,699 areas, not in the repository). Fails loudly when the file is
/// absent: set MANTELKRING_REFERENCE_DATA to the folder holding pc4_nl.csv.
#[tokio::test]
async fn the_reference_file_imports_whole() {
    let file = reference_data().join("pc4_nl.csv");
    assert!(
        file.is_file(),
        "reference file {} not found: set MANTELKRING_REFERENCE_DATA to the folder holding pc4_nl.csv",
        file.display()
    );
    for db in TestDatabase::all().await {
        let (code, stdout, stderr) = out(&import(&db.url, &["pc4", file.to_str().unwrap()]));
        assert_eq!(code, Some(0), "{stdout}\n{stderr}");
        eprintln!("{}: {stdout}", db.backend.name());
        let store = db.store().await;
        let n = postcodes::count(&store).await.unwrap();
        assert!((4600..4700).contains(&n), "{n} areas");
        let leiden = postcodes::lookup(&store, pc4("2311"))
            .await
            .unwrap()
            .expect("2311");
        assert_eq!(leiden.place, "Leiden");
        let d = distance_km(leiden.centroid, Coordinates::new(52.16, 4.49).unwrap());
        assert!(d < 1.0, "2311 lies {d} km from (52.16, 4.49)");
        store.close().await;
    }
}
