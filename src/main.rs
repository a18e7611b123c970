//! The `finrisk` command line: argument parsing and wiring only.
//!
//! Every decision lives in the libraries (`finrisk-engine`, `finrisk-datasets`); this binary
//! reads inputs, calls them, prints JSON (or text with `--format text`) and maps failures to
//! exit codes: 0 success, 2 bad input (one line on stderr naming the field), 1 internal failure,
//! 3 an alert fired (`finrisk monitor`: the output is printed all the same).

// Narrowing casts are justified where they stay (`#[expect]` with the bound) or replaced by
// checked conversions; test code may cast freely.
#![cfg_attr(not(test), warn(clippy::cast_possible_truncation))]

mod cli;
mod commands;
mod evaluation;
mod failure;
mod input;
mod output;
mod report;
mod server;

use clap::Parser;

/// mimalloc instead of the system allocator: a batch allocates and frees millions of small
/// strings (ids, evidence), where glibc's malloc spent about 40% of the run (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (v3, the version libmimalloc-sys 0.1.49 builds): the
/// 16th option of `mi_option_e`. Its documented default is 1000 ms; a test checks that this
/// option reads 1000 before it is changed, so a renumbering in a new mimalloc fails the test.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory in the allocator instead of handing it back to the OS after a second:
/// a command that streams chunk after chunk otherwise pays for zeroing fresh pages on every
/// chunk (half the time of reading a table, BENCHMARKS.md). The server keeps the default, so
/// that it returns memory after a burst.
#[expect(
    unsafe_code,
    reason = "mimalloc's option table is set through its C API"
)]
fn keep_freed_memory() {
    // SAFETY: `mi_option_set` takes an option number and a value, touches only mimalloc's
    // option table, and may be called at any time from any thread.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}
/// Transparent huge pages off for this process. mimalloc asks the kernel for huge pages on its
/// arenas (`madvise(MADV_HUGEPAGE)`), and the first touch of each 2 MiB page then zeroes all of
/// it, used or not: on a 1M-grant batch that was 4 s of kernel time out of 11 (35% of the CPU,
/// `clear_page_erms` under `do_huge_pmd_anonymous_page`; BENCHMARKS.md). With the flag set,
/// pages are faulted 4 KiB at a time. The flag covers mappings made before it too, and is checked
/// at each fault. The server keeps the default.
#[cfg(target_os = "linux")]
#[expect(
    unsafe_code,
    reason = "prctl is a system call without a safe wrapper in std"
)]
fn no_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and changes only this process's
    // memory-management flag; a failure (an old kernel) leaves the default, which is correct too.
    let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
}

#[cfg(not(target_os = "linux"))]
fn no_transparent_huge_pages() {}

use std::process::ExitCode;

/// Prints `output` on stdout and returns `code`; a closed pipe (`finrisk ... | head`) is not a
/// failure of ours, any other write error is.
fn print_then(output: &str, code: ExitCode) -> ExitCode {
    match failure::write_stdout(output) {
        Ok(()) => code,
        Err(e) => failure::report(&anyhow::anyhow!("cannot write the output: {e}")),
    }
}

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(e) => return failure::report_usage_error(&e),
    };
    if !matches!(args.command, cli::Command::Serve(_)) {
        keep_freed_memory();
        no_transparent_huge_pages();
        failure::keep_panics_quiet();
    }
    let outcome = std::panic::catch_unwind(|| commands::run(args));
    match outcome {
        Ok(Ok(output)) => print_then(&output, ExitCode::SUCCESS),
        Ok(Err(e)) => {
            if let Some(failure::Alerted(output)) = e.downcast_ref::<failure::Alerted>() {
                // The output is printed; exit 3 says an alert fired.
                print_then(output, ExitCode::from(3))
            } else if let Some(broken) = e.downcast_ref::<failure::ChainBroken>() {
                // The report is printed; the line on stderr names the broken event; exit 1.
                let code = print_then(&broken.output, ExitCode::from(1));
                eprintln!("finrisk: {}", broken.message);
                code
            } else {
                failure::report(&e)
            }
        }
        Err(_) => failure::report_panic(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    #[expect(unsafe_code, reason = "prctl read-back")]
    fn transparent_huge_pages_are_off_after_the_call() {
        super::no_transparent_huge_pages();
        // SAFETY: PR_GET_THP_DISABLE reads this process's flag.
        let flag = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(flag, 1);
    }

    #[test]
    #[expect(
        unsafe_code,
        reason = "mimalloc's option table is read through its C API"
    )]
    fn the_purge_delay_option_is_the_one_set() {
        // SAFETY: reads mimalloc's option table.
        let before = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(
            before, 1000,
            "option 15 is not mimalloc's purge delay (default 1000 ms)"
        );
        super::keep_freed_memory();
        // SAFETY: as above.
        let after = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(after, -1);
    }
}
