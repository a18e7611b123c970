//! Any bytes as a grants table, CSV or Parquet (the first byte picks the format and the chunk
//! size), read both ways a batch reads it: whole and streamed in chunks
//! (`finrisk_datasets::consistency::compare_reads`). Either both refuse the file, or both give
//! the same rows, the same accepted values and the same row errors, each with its row, field and
//! reason; never a panic. Built only with the `tables` feature (it compiles polars).
#![no_main]

use finrisk_datasets::consistency::compare_fuzz_input;
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // polars panics on some malformed Parquet files (an `expect` in its thrift decoder);
        // finrisk_datasets catches those panics at its read boundary and returns an error
        // naming the file. libFuzzer's hook would abort on the panic before that catch, so a
        // panic raised inside polars is left to unwind to it; any other panic still aborts, and
        // a polars panic the datasets crate fails to catch aborts when it leaves the target.
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_polars = info.location().is_some_and(|l| l.file().contains("/polars-"));
            if !in_polars {
                abort(info);
            }
        }));
    },
    |data: &[u8]| {
        let scratch =
            std::env::temp_dir().join(format!("finrisk-fuzz-grant-table-{}", std::process::id()));
        if let Some(Err(disagreement)) = compare_fuzz_input(data, &scratch) {
            panic!("{disagreement}");
        }
    }
);
