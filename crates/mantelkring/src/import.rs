//! `mantelkring import …`: reference data from files. `import pc4 FILE.csv` loads the PC4
//! postcode areas (see `mantelkring_core::geo::pc4_csv` for the format). The whole file is
//! checked first; with any problem every problem is printed (`regel N, veld X: …`), nothing is
//! written and the exit code is 2. Otherwise everything is written in one transaction.

use crate::app::{self, StartError};
use crate::config::Config;
use mantelkring_core::geo::pc4_csv;
use mantelkring_store::StoreError;
use mantelkring_store::postcodes::{self, ImportReport};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// Rows written between two progress updates.
const PROGRESS_EVERY: usize = 1000;

pub async fn pc4(config: &Config, file: &Path, dry_run: bool) -> Result<ExitCode, StartError> {
    let shown = file.display();
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("mantelkring: kan {shown} niet lezen: {e} / cannot read the file");
            return Ok(ExitCode::from(2));
        }
    };
    let areas = match pc4_csv::parse(&bytes) {
        Ok(areas) => areas,
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            let n = problems.len();
            eprintln!(
                "mantelkring: {shown}: {n} {}; er is niets ingelezen / {n} problem(s), nothing imported",
                if n == 1 { "probleem" } else { "problemen" }
            );
            return Ok(ExitCode::from(2));
        }
    };
    let without_municipality = areas.iter().filter(|a| a.municipality.is_none()).count();

    if dry_run {
        println!(
            "proefrun: {} postcodegebieden in orde, er is niets opgeslagen / dry run: {} postcode areas fine, nothing written",
            areas.len(),
            areas.len()
        );
        note_without_municipality(without_municipality);
        return Ok(ExitCode::SUCCESS);
    }

    let store = app::open_store(config).await?;
    let mut progress = Progress::new(areas.len());
    let mut tx = store.begin_write().await?;
    let mut report = ImportReport::default();
    for chunk in areas.chunks(PROGRESS_EVERY) {
        report += postcodes::import(&mut tx, chunk).await?;
        progress.show(report.total());
    }
    tx.commit().await.map_err(StoreError::from)?;
    progress.finish();
    store.close().await;
    println!(
        "{} postcodegebieden ingelezen ({} nieuw, {} bijgewerkt) / {} postcode areas imported ({} new, {} updated)",
        report.total(),
        report.inserted,
        report.updated,
        report.total(),
        report.inserted,
        report.updated
    );
    note_without_municipality(without_municipality);
    Ok(ExitCode::SUCCESS)
}

fn note_without_municipality(n: usize) {
    if n > 0 {
        println!("waarvan {n} zonder gemeente (leeg in het bestand) / {n} without a municipality");
    }
}

/// "postcodegebieden opslaan: 3000/4699" on stderr, rewritten in place; only on a terminal, so
/// logs and tests stay clean.
struct Progress {
    total: usize,
    on_terminal: bool,
    shown: bool,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress {
            total,
            on_terminal: std::io::stderr().is_terminal() && total > PROGRESS_EVERY,
            shown: false,
        }
    }

    fn show(&mut self, done: u64) {
        if self.on_terminal {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\rpostcodegebieden opslaan: {done}/{}", self.total);
            let _ = err.flush();
            self.shown = true;
        }
    }

    fn finish(&self) {
        if self.shown {
            eprintln!();
        }
    }
}
