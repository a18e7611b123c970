//! `finrisk export-dataset`: a shipped real dataset as a grants table, so that every command
//! that reads grants (batch, report, assess-product) runs on real loans with real outcomes.

use crate::cli::ExportDatasetArgs;
use crate::failure::bad_input;
use crate::output::output_directory_exists;
use finrisk_datasets::write::write_frame;

/// Writes the dataset and returns a one-line summary.
pub(crate) fn run(args: &ExportDatasetArgs) -> anyhow::Result<String> {
    if args.dataset != "lending_club_grants" {
        return Err(bad_input(format!(
            "dataset: `{}` has no grants form; expected lending_club_grants",
            args.dataset
        )));
    }
    output_directory_exists("out", &args.out)?;
    let mut frame = finrisk_datasets::lending_club_grants(None)?;
    write_frame(&mut frame, &args.out)?;
    Ok(format!(
        "{} grants of {} written to {}\n",
        frame.height(),
        args.dataset,
        args.out.display()
    ))
}
