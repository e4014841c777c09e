//! Benchmark of the sociale kaart search: in process, over HTTP, and PostgreSQL full-text search
//! on the same data as the side-by-side peer.
//!
//! ```text
//! scripts/bench-directory            # or:
//! cargo run --release -p mantelkring --example bench_directory -- [PATH/TO/pc4_nl.csv] [postgres://…]
//! ```
//!
//! For 1,000, 10,000 and 50,000 synthetic services spread like Dutch towns (the PC4 file), a fixed
//! set of 20 queries (Dutch text + category + within 10 km of a postcode) runs many times:
//! - in process: `mantelkring_search::Index::search`;
//! - over HTTP: `GET /kaart?q=…&soort=…&postcode=…&afstand=10` against the real application on
//!   SQLite (the whole page: form checks, postcode lookup, search, HTML);
//! - PostgreSQL: `to_tsvector('dutch', …)` with a GIN index, the category as an array overlap and
//!   the distance as a bounding box plus haversine (when a PostgreSQL URL is given or
//!   TEST_DATABASE_URL is set).
//!
//! Prints p50/p99 latency and queries per second, and the ratio to the peer. Nothing is asserted.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mantelkring::app::{self, Application};
use mantelkring::config::{Config, LogFormat};
use mantelkring_core::directory::draft::{LocationDraft, ServiceDraft};
use mantelkring_core::directory::model::ServiceRecord;
use mantelkring_core::directory::taxonomy;
use mantelkring_core::geo::{Pc4, PostcodeArea, bounding_box, pc4_csv};
use mantelkring_search::{Index, Near, Query, synthetic};
use mantelkring_store::directory::{self, Editor};
use mantelkring_store::postcodes;
use mantelkring_store::testing::TestDatabase;
use sqlx::Row;

const SIZES: [usize; 3] = [1_000, 10_000, 50_000];
const RUNS_IN_PROCESS: usize = 200;
const RUNS_HTTP: usize = 20;
const RUNS_POSTGRES: usize = 20;

/// (text, category, pc4): the fixed query set, spread over the country.
const QUERIES: [(&str, &str, &str); 20] = [
    ("dagbesteding dementie", "respijtzorg", "2311"),
    (
        "mantelzorg ondersteuning",
        "mantelzorgondersteuning",
        "1012",
    ),
    ("hulp bij de boodschappen", "praktische-hulp", "3511"),
    ("logeeropvang", "respijtzorg", "9711"),
    ("alzheimer cafe", "lotgenotencontact", "5611"),
    ("vervoer naar het ziekenhuis", "vervoer", "6811"),
    ("cursus grenzen stellen", "cursus-en-training", "3011"),
    ("oppas bij u thuis", "respijtzorg-thuis", "2511"),
    ("maaltijden", "maaltijden", "8011"),
    ("financiele regelingen", "financiele-regelingen", "4811"),
    (
        "praatgroep jonge mantelzorgers",
        "jonge-mantelzorgers",
        "7511",
    ),
    ("respijt", "respijtzorg", "6211"),
    ("vrijwilliger", "vrijwillige-thuishulp", "1811"),
    ("werk en mantelzorg", "werkende-mantelzorgers", "5211"),
    ("dagbesteding", "dagbesteding", "8911"),
    ("klusjes", "klussen", "9401"),
    ("dementie", "dementie", "1012"),
    ("mantelzorgwaardering", "financiele-regelingen", "3511"),
    ("steunpunt", "mantelzorgondersteuning", "3011"),
    ("informatie advies", "informatie-en-advies", "2511"),
];

fn default_file() -> PathBuf {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pc4_nl.csv");
    if beside.is_file() {
        beside
    } else {
        PathBuf::from("/work/shared/data/pc4_nl.csv")
    }
}

struct Figures {
    p50_us: f64,
    p99_us: f64,
    per_second: f64,
}

fn figures(mut samples: Vec<Duration>) -> Figures {
    samples.sort();
    let total: Duration = samples.iter().sum();
    let at = |p: f64| {
        let i = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[i].as_secs_f64() * 1e6
    };
    Figures {
        p50_us: at(0.50),
        p99_us: at(0.99),
        per_second: samples.len() as f64 / total.as_secs_f64(),
    }
}

fn print_row(label: &str, f: &Figures) {
    println!(
        "  {label:<28} p50 {:>9.0} µs   p99 {:>9.0} µs   {:>9.0} q/s",
        f.p50_us, f.p99_us, f.per_second
    );
}

fn area<'a>(areas: &'a [PostcodeArea], pc4: &str) -> &'a PostcodeArea {
    let pc4 = Pc4::parse(pc4).expect("PC4");
    areas
        .iter()
        .find(|a| a.pc4 == pc4)
        .expect("PC4 in the file")
}

fn query(areas: &[PostcodeArea], (text, category, pc4): (&str, &str, &str)) -> Query {
    let a = area(areas, pc4);
    Query {
        text: text.into(),
        categories: vec![category.into()],
        near: Some(Near {
            point: a.centroid,
            municipality_id: a.municipality.as_deref().map(synthetic::municipality_id),
        }),
        within_km: Some(10.0),
        ..Query::default()
    }
}

fn in_process(records: &[ServiceRecord], areas: &[PostcodeArea]) -> Figures {
    let started = Instant::now();
    let index = Index::build(records.to_vec());
    println!(
        "  index build: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let queries: Vec<Query> = QUERIES.iter().map(|q| query(areas, *q)).collect();
    let now = mantelkring_core::time::now_ms();
    let mut samples = Vec::new();
    for _ in 0..RUNS_IN_PROCESS {
        for q in &queries {
            let t = Instant::now();
            std::hint::black_box(index.search(q, now));
            samples.push(t.elapsed());
        }
    }
    figures(samples)
}

/// Writes the synthetic map into a fresh database through the store, as an import would.
async fn fill(store: &mantelkring_store::Store, records: &[ServiceRecord], areas: &[PostcodeArea]) {
    let mut tx = store.begin_write().await.unwrap();
    postcodes::import(&mut tx, areas).await.unwrap();
    let (region,): (String,) = sqlx::query_as(
        "INSERT INTO regions (id, name, created_at) VALUES ($1, 'Nederland', 0) RETURNING id",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let mut municipalities = std::collections::HashMap::new();
    let mut organisations = std::collections::HashSet::new();
    let mut locations = std::collections::HashSet::new();
    let editor = Editor::system("bench");
    for r in records {
        for a in &r.areas {
            if !municipalities.contains_key(&a.municipality_id) {
                let code = format!("GM{}", 10_000 + municipalities.len());
                sqlx::query(
                    "INSERT INTO municipalities (id, region_id, cbs_code, name, created_at) \
                     VALUES ($1, $2, $3, $4, 0)",
                )
                .bind(a.municipality_id.to_string())
                .bind(&region)
                .bind(&code)
                .bind(&a.name)
                .execute(&mut *tx)
                .await
                .unwrap();
                municipalities.insert(a.municipality_id, code);
            }
        }
        if organisations.insert(r.organisation.id) {
            sqlx::query(
                "INSERT INTO organisations (id, region_id, name, kind, created_at) \
                 VALUES ($1, $2, $3, $4, 0)",
            )
            .bind(r.organisation.id.to_string())
            .bind(&region)
            .bind(&r.organisation.name)
            .bind(&r.organisation.kind)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        for l in &r.locations {
            if locations.insert(l.location.id) {
                directory::create_location(
                    &mut tx,
                    l.location.id,
                    &LocationDraft::from_location(&l.location),
                    &editor,
                )
                .await
                .unwrap();
            }
        }
        directory::create_service(
            &mut tx,
            r.id,
            &ServiceDraft::from_record(r),
            &editor,
            Some(r.last_reviewed_at),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

fn config(database_url: &str, dir: &Path) -> Config {
    Config {
        database_url: database_url.to_string(),
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_path_buf(),
        public_url: "http://127.0.0.1".into(),
        smtp_url: None,
        mail_dir: dir.join("mail"),
        mail_from: "Mantelkring <noreply@localhost>".into(),
        log: "warn".into(),
        log_format: LogFormat::Text,
        db_max_connections: 5,
        max_body_bytes: 64 * 1024,
        request_timeout: Duration::from_secs(30),
        job_max_attempts: 3,
        job_retry_base: Duration::from_secs(1),
        job_poll: Duration::from_secs(5),
        directory_stale_after_days: 183,
        instruments: std::sync::Arc::new(
            mantelkring_core::screening::instrument::Catalogue::built_in(),
        ),
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn over_http(records: &[ServiceRecord], areas: &[PostcodeArea]) -> Figures {
    let db = TestDatabase::sqlite();
    let dir = std::env::temp_dir().join(format!("mk-bench-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = config(&db.url, &dir);
    let store = app::open_store(&config).await.unwrap();
    let started = Instant::now();
    fill(&store, records, areas).await;
    println!(
        "  database fill (SQLite, through the store): {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let application = Application::build(&config, store.clone()).await.unwrap();
    println!(
        "  application start with index load: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let addr = application.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let urls: Vec<String> = QUERIES
        .iter()
        .map(|(text, category, pc4)| {
            format!(
                "http://{addr}/kaart?q={}&soort={category}&postcode={pc4}&afstand=10",
                encode(text)
            )
        })
        .collect();
    // Warm up (connection, caches), then measure.
    for url in &urls {
        let r = client.get(url).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{url}");
        r.bytes().await.unwrap();
    }
    let mut samples = Vec::new();
    for _ in 0..RUNS_HTTP {
        for url in &urls {
            let t = Instant::now();
            let r = client.get(url).send().await.unwrap();
            r.bytes().await.unwrap();
            samples.push(t.elapsed());
        }
    }
    let _ = stop.send(());
    let _ = server.await;
    let _ = std::fs::remove_dir_all(&dir);
    drop(db);
    figures(samples)
}

/// The same data in a PostgreSQL table with a Dutch full-text index: the peer.
async fn postgres_fts(
    admin_url: &str,
    records: &[ServiceRecord],
    areas: &[PostcodeArea],
) -> Figures {
    let db = TestDatabase::postgres(admin_url).await;
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    sqlx::query(
        "CREATE TABLE fts_services (id TEXT PRIMARY KEY, name TEXT NOT NULL, \
         categories TEXT[] NOT NULL, latitude DOUBLE PRECISION, longitude DOUBLE PRECISION, \
         document TSVECTOR NOT NULL)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let started = Instant::now();
    for chunk in records.chunks(500) {
        let mut ids = Vec::new();
        let mut names = Vec::new();
        let mut cats = Vec::new();
        let mut labels = Vec::new();
        let mut descriptions = Vec::new();
        let mut lats = Vec::new();
        let mut lons = Vec::new();
        for r in chunk {
            // One row per location (services without one: no point), as a spatial table would.
            let points: Vec<Option<(f64, f64)>> = if r.locations.is_empty() {
                vec![None]
            } else {
                r.locations
                    .iter()
                    .map(|l| {
                        l.location
                            .coordinates
                            .map(|c| (c.latitude(), c.longitude()))
                    })
                    .collect()
            };
            for (i, p) in points.into_iter().enumerate() {
                ids.push(format!("{}:{i}", r.id));
                names.push(r.name.clone());
                cats.push(r.categories.join(","));
                labels.push(
                    r.categories
                        .iter()
                        .filter_map(|c| taxonomy::by_code(c))
                        .map(|t| format!("{} {}", t.nl, t.synonyms.join(" ")))
                        .collect::<Vec<_>>()
                        .join(" "),
                );
                descriptions.push(format!("{} {}", r.description, r.organisation.name));
                lats.push(p.map(|p| p.0));
                lons.push(p.map(|p| p.1));
            }
        }
        sqlx::query(
            "INSERT INTO fts_services (id, name, categories, latitude, longitude, document) \
             SELECT id, name, string_to_array(cats, ','), lat, lon, \
             setweight(to_tsvector('dutch', name), 'A') || setweight(to_tsvector('dutch', labels), 'B') \
             || setweight(to_tsvector('dutch', description), 'C') \
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[]) \
             AS t(id, name, cats, labels, description, lat, lon)",
        )
        .bind(&ids)
        .bind(&names)
        .bind(&cats)
        .bind(&labels)
        .bind(&descriptions)
        .bind(&lats)
        .bind(&lons)
        .execute(&pool)
        .await
        .unwrap();
    }
    for ddl in [
        "CREATE INDEX fts_services_document ON fts_services USING GIN (document)",
        "CREATE INDEX fts_services_categories ON fts_services USING GIN (categories)",
        "CREATE INDEX fts_services_point ON fts_services (latitude, longitude)",
        "ANALYZE fts_services",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(ddl.to_string()))
            .execute(&pool)
            .await
            .unwrap();
    }
    println!(
        "  PostgreSQL table + GIN build: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let sql = "SELECT id, name FROM fts_services \
        WHERE document @@ plainto_tsquery('dutch', $1) AND categories && $2::text[] \
        AND latitude BETWEEN $3 AND $4 AND longitude BETWEEN $5 AND $6 \
        AND 2 * 6371.0088 * asin(sqrt(power(sin(radians(latitude - $7) / 2), 2) \
            + cos(radians($7)) * cos(radians(latitude)) * power(sin(radians(longitude - $8) / 2), 2))) <= 10 \
        ORDER BY ts_rank(document, plainto_tsquery('dutch', $1)) DESC, name LIMIT 10";
    let prepared: Vec<_> = QUERIES
        .iter()
        .map(|(text, category, pc4)| {
            let a = area(areas, pc4);
            let b = bounding_box(a.centroid, 10.0);
            let codes: Vec<String> = taxonomy::with_descendants(category)
                .iter()
                .map(|t| t.code.to_string())
                .collect();
            (text.to_string(), codes, b, a.centroid)
        })
        .collect();
    let mut samples = Vec::new();
    let mut found = 0usize;
    for run in 0..=RUNS_POSTGRES {
        for (text, codes, b, c) in &prepared {
            let t = Instant::now();
            let rows = sqlx::query(sql)
                .bind(text)
                .bind(codes)
                .bind(b.south)
                .bind(b.north)
                .bind(b.west)
                .bind(b.east)
                .bind(c.latitude())
                .bind(c.longitude())
                .fetch_all(&pool)
                .await
                .unwrap();
            if run > 0 {
                samples.push(t.elapsed());
            } else {
                found += rows.len();
                let _ = rows.first().map(|r| r.get::<String, _>(0));
            }
        }
    }
    println!("  PostgreSQL hits over the 20 queries (top 10 each): {found}");
    pool.close().await;
    drop(db);
    figures(samples)
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().map(PathBuf::from).unwrap_or_else(default_file);
    let postgres = args
        .next()
        .or_else(|| std::env::var("TEST_DATABASE_URL").ok())
        .filter(|u| u.starts_with("postgres"));
    let bytes = std::fs::read(&file).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (give the path to pc4_nl.csv)",
            file.display()
        )
    });
    let areas = pc4_csv::parse(&bytes).unwrap_or_else(|p| panic!("{}", p[0]));
    println!(
        "sociale kaart search benchmark: {} PC4 areas; 20 queries (text + category + 10 km)",
        areas.len()
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }
    match &postgres {
        Some(url) => println!("PostgreSQL peer: {url}"),
        None => println!("PostgreSQL peer: off (give a postgres:// URL or set TEST_DATABASE_URL)"),
    }
    for n in SIZES {
        println!("\n== {n} services");
        let records = synthetic::generate(n, &areas, 42);
        let mem = in_process(&records, &areas);
        print_row("in process", &mem);
        let http = over_http(&records, &areas).await;
        print_row("over HTTP (/kaart page)", &http);
        if let Some(url) = &postgres {
            let pg = postgres_fts(url, &records, &areas).await;
            print_row("PostgreSQL FTS (peer)", &pg);
            println!(
                "  ratio p50 PostgreSQL / in process: {:.0}×; PostgreSQL / HTTP: {:.1}×",
                pg.p50_us / mem.p50_us,
                pg.p50_us / http.p50_us
            );
        }
    }
}
