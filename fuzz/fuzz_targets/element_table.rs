//! Any bytes as an element table of cases (the first byte picks CSV or XLSX), read as `batch
//! --kind cases` reads it (`finrisk_datasets::element_table::read_case_tables`). Either the
//! file is refused with an error naming it, or every row gives a case that passes the engine's
//! validation, or errors that each name a field and a reason; never a panic. Built only with
//! the `tables` feature (it compiles polars and calamine).
#![no_main]

use finrisk_datasets::element_table::read_case_tables;
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // The readers (polars for CSV; calamine, zip and quick-xml for XLSX) may panic on
        // malformed files; finrisk_datasets catches those panics at its read boundary and
        // returns an error naming the file. libFuzzer's hook would abort first, so a panic
        // raised inside them is left to unwind to that catch; any other panic still aborts.
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_reader = info.location().is_some_and(|l| {
                let f = l.file();
                ["/polars-", "/calamine-", "/zip-", "/quick-xml-"]
                    .iter()
                    .any(|crate_dir| f.contains(crate_dir))
            });
            if !in_reader {
                abort(info);
            }
        }));
    },
    |data: &[u8]| {
        let Some((&pick, bytes)) = data.split_first() else {
            return;
        };
        let dir = std::env::temp_dir().join(format!(
            "finrisk-fuzz-element-table-{}",
            std::process::id()
        ));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(if pick % 2 == 0 { "cases.csv" } else { "cases.xlsx" });
        let read = std::fs::write(&path, bytes).map(|()| read_case_tables(&path, None, None));
        // The scratch directory goes with each input: libFuzzer ends the process without
        // unwinding, so nothing would remove it after the last one.
        let _ = std::fs::remove_dir_all(&dir);
        let Ok(Ok(tables)) = read else {
            return;
        };
        for (row, case) in &tables.cases {
            assert!(*row >= 1);
            match case {
                Ok(case) => assert!(case.validate().is_ok(), "row {row}: an accepted case fails validation"),
                Err(e) => {
                    let errors = e.field_errors();
                    assert!(!errors.is_empty(), "row {row}: refused without a reason");
                    for f in errors {
                        assert!(!f.field.is_empty() && !f.reason.is_empty(), "row {row}: {f:?}");
                    }
                }
            }
        }
        for orphan in &tables.orphans {
            assert!(!orphan.field.is_empty() && !orphan.reason.is_empty());
        }
    }
);
