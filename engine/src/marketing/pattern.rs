//! The claim grammar's patterns: literal text with typed slots, alternation and optional
//! groups, compiled once when the grammar loads and matched by backtracking over normalised
//! text (see [`super::normalise`]).
//!
//! Syntax (the full reference is `rules/marketing/README.md`):
//!
//! - literal text; a space matches one or more spaces or hyphens (`same day` matches
//!   `same-day`); ASCII letters match case-insensitively; a pattern that starts (ends) with an
//!   ASCII letter or digit only matches on a word boundary;
//! - `(a|b|c)` a choice, `(a|b)?` an optional choice, nested freely;
//! - `{num}`, `{pct}`, `{amt}`, `{dur}`, `{fen}`: typed slots (a number, a percentage, an amount
//!   of money, a duration, a 分/厘 rate), each optionally named for the price parser
//!   (`{pct:rate}`, `{amt:cost}`);
//! - `{gap}` / `{gap:N}`: up to 6 / N characters that do not cross a clause separator;
//!   `{far:N}`: up to N characters that may cross a comma but not the end of a sentence;
//! - `\x`: the character `x` itself (`\(`, `\?`, `\{`).

use std::fmt;

/// Numbers, percentages, amounts and durations as the slots read them.
pub mod slots {
    /// Chinese digits and their values (两 is 2 before a unit: 两万, 两周).
    const CN_DIGITS: [(char, f64); 12] = [
        ('零', 0.0),
        ('〇', 0.0),
        ('一', 1.0),
        ('二', 2.0),
        ('两', 2.0),
        ('三', 3.0),
        ('四', 4.0),
        ('五', 5.0),
        ('六', 6.0),
        ('七', 7.0),
        ('八', 8.0),
        ('九', 9.0),
    ];

    /// English number words a slot reads (`two weeks`, `one day`).
    const EN_NUMBERS: [(&str, f64); 16] = [
        ("one", 1.0),
        ("two", 2.0),
        ("three", 3.0),
        ("four", 4.0),
        ("five", 5.0),
        ("six", 6.0),
        ("seven", 7.0),
        ("eight", 8.0),
        ("nine", 9.0),
        ("ten", 10.0),
        ("fifteen", 15.0),
        ("twenty", 20.0),
        ("thirty", 30.0),
        ("sixty", 60.0),
        ("a few", 3.0),
        ("a couple of", 2.0),
    ];

    fn cn_digit(c: char) -> Option<f64> {
        CN_DIGITS.iter().find(|(d, _)| *d == c).map(|(_, v)| *v)
    }

    pub(crate) fn is_word(c: char) -> bool {
        c.is_ascii_alphanumeric()
    }

    fn starts_with(text: &[char], pos: usize, word: &str) -> Option<usize> {
        let mut i = pos;
        for w in word.chars() {
            if text.get(i) != Some(&w) {
                return None;
            }
            i += 1;
        }
        Some(i)
    }

    /// `word` at `pos`, ending on a word boundary when it ends with a letter.
    fn word_at(text: &[char], pos: usize, word: &str) -> Option<usize> {
        let end = starts_with(text, pos, word)?;
        let ends_in_letter = word.chars().last().is_some_and(is_word);
        if ends_in_letter && text.get(end).is_some_and(|c| is_word(*c)) {
            return None;
        }
        Some(end)
    }

    /// Whether the comma at `i` starts Indian digit grouping: groups of two digits, each after
    /// a comma, ending in a group of three (`4,78,000` is 478,000; `1,00,00,000` is one crore).
    /// A comma that two digits follow and then no such end (`1,23,45`) is no separator.
    pub(super) fn lakh_separator(text: &[char], i: usize) -> bool {
        let digits = |from: usize, n: usize| {
            text.get(from..from + n)
                .is_some_and(|g| g.iter().all(char::is_ascii_digit))
        };
        let mut j = i;
        while text.get(j) == Some(&',') && digits(j + 1, 2) && text.get(j + 3) == Some(&',') {
            if digits(j + 4, 3) && !text.get(j + 7).is_some_and(char::is_ascii_digit) {
                return true;
            }
            j += 3;
        }
        false
    }

    /// Arabic digits with thousands commas (and Indian grouping, [`lakh_separator`]) and a
    /// decimal point: `1,000`, `2,00,000`, `0.05`, `15`.
    fn arabic(text: &[char], pos: usize) -> Option<(usize, f64)> {
        // A number starts where the digits start: not inside a word or another number.
        if pos > 0 && (text[pos - 1].is_ascii_alphanumeric() || text[pos - 1] == '.') {
            return None;
        }
        arabic_digits(text, pos)
    }

    /// [`arabic`] without its look at the character before: for digits right after a currency
    /// code (`r500`, `ksh1,000`).
    pub(super) fn arabic_digits(text: &[char], pos: usize) -> Option<(usize, f64)> {
        // The digits and the point go into a buffer on the stack (this runs wherever a number
        // slot may start, on every ad); a longer run than it holds is read again into a String.
        let mut digits = [0u8; 40];
        let mut len = 0usize;
        let mut i = pos;
        let mut seen_point = false;
        while i < text.len() {
            let c = text[i];
            let kept = if c.is_ascii_digit() {
                Some(c)
            } else if c == ','
                && len > 0
                && !seen_point
                && (text
                    .get(i + 1..i + 4)
                    .is_some_and(|g| g.iter().all(char::is_ascii_digit))
                    && !text.get(i + 4).is_some_and(char::is_ascii_digit)
                    || lakh_separator(text, i))
            {
                // A thousands separator: exactly three digits follow (or Indian grouping).
                None
            } else if c == '.'
                && len > 0
                && !seen_point
                && text.get(i + 1).is_some_and(char::is_ascii_digit)
            {
                seen_point = true;
                Some('.')
            } else {
                break;
            };
            if let Some(c) = kept {
                // An ASCII digit or point: one byte. `len` counts past the buffer when it is
                // full, which sends the number to the String below.
                if let Some(slot) = digits.get_mut(len) {
                    *slot = u8::try_from(c).unwrap_or(b'?');
                }
                len += 1;
            }
            i += 1;
        }
        if len == 0 {
            return None;
        }
        let value = match digits.get(..len).and_then(|d| std::str::from_utf8(d).ok()) {
            Some(d) => d.parse::<f64>().ok()?,
            None => text[pos..i]
                .iter()
                .filter(|c| **c != ',')
                .collect::<String>()
                .parse::<f64>()
                .ok()?,
        };
        Some((i, value))
    }

    /// Chinese numerals: 三, 十五, 三千, 两万, 一万五千, 半 (0.5).
    fn chinese(text: &[char], pos: usize) -> Option<(usize, f64)> {
        if text.get(pos) == Some(&'半') {
            return Some((pos + 1, 0.5));
        }
        let first = *text.get(pos)?;
        if cn_digit(first).is_none() && first != '十' {
            return None;
        }
        if pos > 0 && (cn_digit(text[pos - 1]).is_some() || "十百千万".contains(text[pos - 1]))
        {
            return None;
        }
        let mut i = pos;
        let (mut total, mut section, mut digit) = (0.0, 0.0, 0.0);
        while let Some(&c) = text.get(i) {
            if let Some(d) = cn_digit(c) {
                digit = d;
            } else {
                let unit = match c {
                    '十' => 10.0,
                    '百' => 100.0,
                    '千' => 1000.0,
                    '万' => 10_000.0,
                    _ => break,
                };
                // 万分之 / 千分之 / 百分之 belong to a percentage, not to this number.
                if text.get(i + 1) == Some(&'分') && text.get(i + 2) == Some(&'之') {
                    break;
                }
                if unit == 10_000.0 {
                    total += (section + digit) * unit;
                    section = 0.0;
                } else {
                    let d = if digit == 0.0 && unit == 10.0 {
                        1.0
                    } else {
                        digit
                    };
                    section += d * unit;
                }
                digit = 0.0;
            }
            i += 1;
        }
        (i > pos).then_some((i, total + section + digit))
    }

    /// A number: Arabic (with 万/千/百 or k after it), Chinese or an English word; a range
    /// (`3-5`, `3~5`, `3至5`, `3 to 5`) reads as its lower bound, ending after the upper one.
    pub fn number(text: &[char], pos: usize) -> Option<(usize, f64)> {
        number_and_upper(text, pos).map(|(end, low, _)| (end, low))
    }

    /// What joins the two ends of a range (`3-5`, `3至5`, `24 to 72`, `24h to 72h`).
    const RANGE_SEPARATORS: [&str; 7] = ["-", "~", "–", "至", "到", " to ", " - "];

    /// An English number word of [`EN_NUMBERS`] at `pos` (the caller checks that no word
    /// runs into it from the left).
    fn english_number(text: &[char], pos: usize) -> Option<(usize, f64)> {
        // Only a few letters start a number word.
        if !matches!(text.get(pos), Some('o' | 't' | 'f' | 's' | 'e' | 'n' | 'a')) {
            return None;
        }
        let first = text[pos];
        EN_NUMBERS
            .iter()
            .filter(|(w, _)| w.starts_with(first))
            .find_map(|(w, v)| word_at(text, pos, w).map(|e| (e, *v)))
    }

    /// A number a percentage starts with: Arabic digits, or an English number word that is a
    /// number (`two percent`; not the vague `a few`, `a couple of`).
    fn percent_number(text: &[char], pos: usize) -> Option<(usize, f64)> {
        arabic(text, pos).or_else(|| {
            if (pos > 0 && is_word(text[pos - 1])) || text.get(pos) == Some(&'a') {
                return None;
            }
            english_number(text, pos)
        })
    }

    /// The words after a number that make it a percentage, from `pos`.
    fn percent_suffix(text: &[char], pos: usize) -> Option<usize> {
        if text.get(pos) == Some(&'%') {
            return Some(pos + 1);
        }
        [" per cent", " percent", "percent", " pc", "pc"]
            .iter()
            .find_map(|w| word_at(text, pos, w))
    }

    /// [`number`], with a range's upper bound as well (the number itself when it is no range).
    fn number_and_upper(text: &[char], pos: usize) -> Option<(usize, f64, f64)> {
        let (mut end, mut value) = match arabic(text, pos) {
            Some((e, v)) => {
                let (e, v) = match text.get(e) {
                    Some('万') if text.get(e + 1) != Some(&'分') => (e + 1, v * 10_000.0),
                    Some('千') if text.get(e + 1) != Some(&'分') => (e + 1, v * 1000.0),
                    Some('百') if text.get(e + 1) != Some(&'分') => (e + 1, v * 100.0),
                    Some('k') if !text.get(e + 1).is_some_and(|c| is_word(*c)) => {
                        (e + 1, v * 1000.0)
                    }
                    _ => (e, v),
                };
                (e, v)
            }
            None => match chinese(text, pos) {
                Some(x) => x,
                None => {
                    if pos > 0 && is_word(text[pos - 1]) {
                        return None;
                    }
                    english_number(text, pos)?
                }
            },
        };
        let mut upper = value;
        for sep in RANGE_SEPARATORS {
            if let Some(after) = starts_with(text, end, sep)
                && let Some((e, v)) = arabic(text, after).or_else(|| chinese(text, after))
            {
                end = e;
                upper = v;
                break;
            }
        }
        if value.is_nan() {
            value = 0.0;
        }
        if upper.is_nan() || upper < value {
            upper = value;
        }
        Some((end, value, upper))
    }

    /// A percentage as a fraction: `12%`, `12.5% - 18%`, `百分之十二`, `千分之三`, `万分之五`,
    /// `12 per cent`, `12 percent`, `12pc` (British newspapers' form).
    pub fn percent(text: &[char], pos: usize) -> Option<(usize, f64)> {
        for (prefix, scale) in [("万分之", 1e-4), ("千分之", 1e-3), ("百分之", 1e-2)] {
            if let Some(after) = starts_with(text, pos, prefix) {
                let (e, v) = arabic(text, after).or_else(|| chinese(text, after))?;
                return Some((e, v * scale));
            }
        }
        // 万五 / 万3: the colloquial 万分之五 of daily rates (日息万五).
        if text.get(pos) == Some(&'万')
            && (pos == 0 || (cn_digit(text[pos - 1]).is_none() && !text[pos - 1].is_ascii_digit()))
            && let Some(&d) = text.get(pos + 1)
            && !text.get(pos + 2).is_some_and(|c| {
                c.is_ascii_digit() || cn_digit(*c).is_some() || "十百千万元块".contains(*c)
            })
        {
            let digit = cn_digit(d).or_else(|| d.to_digit(10).map(f64::from));
            if let Some(v) = digit.filter(|v| *v > 0.0) {
                return Some((pos + 2, v * 1e-4));
            }
        }
        let (e, v) = percent_number(text, pos)?;
        let mut end = match percent_suffix(text, e) {
            Some(end) => end,
            // A range whose suffix comes once, after its upper bound (`one to two percent`,
            // `1 to 2 per cent`): it reads as its lower bound, like a number's range.
            None => RANGE_SEPARATORS.iter().find_map(|sep| {
                let after = starts_with(text, e, sep)?;
                let (e2, _) = percent_number(text, after)?;
                percent_suffix(text, e2)
            })?,
        };
        // A range: the upper bound belongs to the slot.
        for sep in RANGE_SEPARATORS {
            if let Some(after) = starts_with(text, end, sep)
                && let Some((e2, _)) = arabic(text, after)
                && text.get(e2) == Some(&'%')
            {
                end = e2 + 1;
                break;
            }
        }
        Some((end, v / 100.0))
    }

    /// A scale word after a number (`2 million`, `5 lakh`): where it ends and what it
    /// multiplies by (`pos` itself and 1 when there is none).
    fn scale_word(text: &[char], pos: usize) -> (usize, f64) {
        if text.get(pos) != Some(&' ') {
            return (pos, 1.0);
        }
        [
            ("thousand", 1e3),
            ("million", 1e6),
            ("billion", 1e9),
            ("lakh", 1e5),
            ("crore", 1e7),
        ]
        .iter()
        .find_map(|(w, f)| word_at(text, pos + 1, w).map(|e| (e, *f)))
        .unwrap_or((pos, 1.0))
    }

    /// Currency symbols an amount may start with: dollar, pound, euro, yuan, naira, peso,
    /// rupee, cedi.
    pub const CURRENCY_SIGNS: [char; 9] = ['$', '£', '€', '¥', '₦', '₱', '₹', '₨', '₵'];
    /// Chinese currency words an amount may end with (`5000元`).
    const CURRENCY_WORDS_CJK: [&str; 3] = ["块钱", "元", "块"];
    /// Currency names and ISO 4217 codes an amount may end with (`300 dollars`, `15,000 MWK`,
    /// `100 million riel`): not the names that are also common English words (`won`, `real`,
    /// `sol`, `rub`, `try`).
    const CURRENCY_WORDS: [&str; 106] = [
        "rmb",
        "yuan",
        "dollars",
        "dollar",
        "bucks",
        "pounds",
        "quid",
        "euros",
        "rupees",
        "rupee",
        "naira",
        "shillings",
        "shilling",
        "cedis",
        "cedi",
        "kwacha",
        "ringgit",
        "rand",
        "pesos",
        "peso",
        "dirhams",
        "dirham",
        "riyals",
        "riyal",
        "taka",
        "usd",
        "cad",
        "aud",
        "nzd",
        "hkd",
        "sgd",
        "gbp",
        "eur",
        "kes",
        "ugx",
        "tzs",
        "rwf",
        "zmw",
        "mwk",
        "ngn",
        "ghs",
        "zar",
        "pkr",
        "inr",
        "lkr",
        "bdt",
        "php",
        "myr",
        "aed",
        "sar",
        "qar",
        "bwp",
        "nad",
        "jmd",
        "ttd",
        "xof",
        "dalasi",
        "gmd",
        "birr",
        "etb",
        "kina",
        "pgk",
        "tala",
        "riel",
        "riels",
        "khr",
        "tugrik",
        "tugriks",
        "togrog",
        "mnt",
        "baht",
        "thb",
        "tenge",
        "kzt",
        "kyat",
        "kyats",
        "mmk",
        "dong",
        "vnd",
        "rupiah",
        "idr",
        "francs",
        "cfa",
        "leones",
        "sll",
        "sle",
        "pula",
        "emalangeni",
        "lilangeni",
        "szl",
        "maloti",
        "lsl",
        "dinars",
        "dinar",
        "yen",
        "jpy",
        "lari",
        "manat",
        "kwanza",
        "aoa",
        "meticais",
        "mzn",
        "hryvnia",
        "uah",
        "zloty",
        "pln",
    ];
    /// Currency codes and abbreviations an amount may start with (`PKR 500`, `Rs. 3,000`,
    /// `KSh1,000`, `Sh150`, `RM 500`): ISO 4217 codes of the markets the corpus's lenders write
    /// from, and the local abbreviations of the rupee, shilling (`KSh`, `USh`, `TSh` and the
    /// East African news styles `Sh` and `Shs`), ringgit and taka.
    const CURRENCY_CODES: [&str; 41] = [
        "usd", "cad", "aud", "nzd", "hkd", "sgd", "gbp", "eur", "kes", "ksh", "ugx", "ush", "tzs",
        "tsh", "sh", "shs", "rwf", "zmw", "mwk", "ngn", "ghs", "zar", "pkr", "inr", "lkr", "bdt",
        "php", "myr", "rm", "rs", "aed", "sar", "qar", "tk", "bwp", "nad", "jmd", "ttd", "gmd",
        "etb", "pgk",
    ];

    /// An amount written with a currency code or abbreviation before it: a code from
    /// [`CURRENCY_CODES`] (then an optional point and spaces), one to three letters before `$`
    /// or `₵` (`CI$20`, `HK$500`, `GH₵200`), `R` for the rand or `D` for the Gambian dalasi
    /// right before its digits (`R500`, `D25`), or `N` for the naira, `P` for the Philippine
    /// peso or `K` for the kwacha and the kina right before a number of 100 or more (`N15,000`,
    /// `P10,000`, `K1,300`; not `N95`, not `N1`, a road, not `P2`, not `K12`). The digits must
    /// not run into a
    /// word (`R2D2`, `P2P` are no amounts).
    fn coded_amount(text: &[char], pos: usize) -> Option<(usize, f64)> {
        if pos > 0 && is_word(text[pos - 1]) {
            return None;
        }
        let mut letters_end = pos;
        while letters_end < text.len()
            && letters_end - pos < 4
            && text[letters_end].is_ascii_lowercase()
        {
            letters_end += 1;
        }
        let letters = &text[pos..letters_end];
        // Most words are no code: rejected by what follows them before any code is compared.
        let next = *text.get(letters_end)?;
        if next.is_ascii_alphabetic() {
            return None;
        }
        let mut after = letters_end;
        if matches!(next, '$' | '₵') {
            if !(1..=3).contains(&letters.len()) {
                return None;
            }
            after += 1;
        }
        let tight = after;
        if text.get(after) == Some(&'.') {
            after += 1;
        }
        while text.get(after) == Some(&' ') {
            after += 1;
        }
        if !text.get(after).is_some_and(char::is_ascii_digit) {
            return None;
        }
        let is = |code: &str| letters.iter().copied().eq(code.chars());
        let known = after > letters_end && tight > letters_end
            || CURRENCY_CODES.iter().any(|code| is(code))
            || ((is("r") || is("d")) && after == letters_end);
        // N (naira), P (Philippine peso) and K (kwacha, kina) right before the digits: only
        // for 100 or more.
        let large_only = !known && (is("n") || is("p") || is("k")) && after == letters_end;
        if !known && !large_only {
            return None;
        }
        let (mut end, mut value) = arabic_digits(text, after)?;
        if large_only && value < 100.0 {
            return None;
        }
        if text.get(end) == Some(&'k') && !text.get(end + 1).is_some_and(|c| is_word(*c)) {
            (end, value) = (end + 1, value * 1000.0);
        }
        // A scale word after the digits, as after a currency sign (`Rs 2 lakh`, `KSh 1 million`).
        let (end, scale) = scale_word(text, end);
        let value = value * scale;
        if text.get(end).is_some_and(|c| is_word(*c)) {
            return None;
        }
        Some((end, value))
    }

    /// The characters an amount can start with, beyond a number's: currency signs, the
    /// letters of currency codes, 万, 千 and 百.
    pub(crate) fn amount_firsts() -> Vec<char> {
        let mut v: Vec<char> = CURRENCY_SIGNS.to_vec();
        v.extend('a'..='z');
        v.extend(['万', '千', '百']);
        v
    }

    /// An amount of money in currency units: `$1,000`, `£500`, `¥2000`, `5000元`, `2万` (a
    /// number with 万 or 千 is an amount in Chinese ads), `千元` / `万元` / `百元` alone (one of
    /// them: 每千元 is "per 1,000").
    pub fn amount(text: &[char], pos: usize) -> Option<(usize, f64)> {
        let first = *text.get(pos)?;
        if CURRENCY_SIGNS.contains(&first) {
            let mut after = pos + 1;
            while text.get(after) == Some(&' ') {
                after += 1;
            }
            let (e, v) = number(text, after)?;
            let (e, scale) = scale_word(text, e);
            return Some((e, v * scale));
        }
        if first.is_ascii_lowercase() {
            if let Some(coded) = coded_amount(text, pos) {
                return Some(coded);
            }
            // Past a code, a letter can only start a number word (`five dollars`).
            if !matches!(first, 'o' | 't' | 'f' | 's' | 'e' | 'n' | 'a') {
                return None;
            }
        }
        for (word, value) in [("千元", 1000.0), ("万元", 10_000.0), ("百元", 100.0)] {
            if let Some(e) = starts_with(text, pos, word) {
                return Some((e, value));
            }
        }
        let (e, v) = number(text, pos)?;
        // A scale word counts only with the currency word after it (`100 million riel`, not
        // `2 million customers`).
        let (scaled_end, scale) = scale_word(text, e);
        let v = v * scale;
        let mut after = scaled_end;
        if text.get(after) == Some(&'-')
            && text.get(after + 1).is_some_and(char::is_ascii_lowercase)
        {
            // The currency word joined by a hyphen: `a 450-shilling deduction`.
            after += 1;
        } else {
            while text.get(after) == Some(&' ') {
                after += 1;
            }
        }
        // Only the words that start with the next character are tried.
        let suffix_end = match text.get(after) {
            Some(&c) if c.is_ascii_lowercase() => CURRENCY_WORDS
                .iter()
                .filter(|w| w.as_bytes().first() == Some(&(c as u8)))
                .find_map(|w| word_at(text, after, w)),
            Some('块' | '元') => CURRENCY_WORDS_CJK
                .iter()
                .find_map(|w| word_at(text, after, w)),
            _ => None,
        };
        if let Some(end) = suffix_end {
            return Some((end, v));
        }
        // 2万 / 5千: an amount without 元 (借1万, 最高20万).
        let multiplier_before = e > pos && matches!(text[e - 1], '万' | '千');
        multiplier_before.then_some((e, v))
    }

    /// Time units a duration reads, longest first for each prefix, in days.
    const UNITS: [(&str, f64); 43] = [
        ("个工作日", 1.0),
        ("工作日", 1.0),
        ("个小时", 1.0 / 24.0),
        ("小时", 1.0 / 24.0),
        ("钟头", 1.0 / 24.0),
        ("分钟", 1.0 / 1440.0),
        ("秒钟", 1.0 / 86_400.0),
        ("秒", 1.0 / 86_400.0),
        ("天", 1.0),
        ("日", 1.0),
        ("个星期", 7.0),
        ("星期", 7.0),
        ("周", 7.0),
        ("个月", 30.0),
        ("月", 30.0),
        ("年", 365.0),
        ("business days", 1.0),
        ("business day", 1.0),
        ("working days", 1.0),
        ("working day", 1.0),
        ("seconds", 1.0 / 86_400.0),
        ("second", 1.0 / 86_400.0),
        ("secs", 1.0 / 86_400.0),
        ("sec", 1.0 / 86_400.0),
        ("minutes", 1.0 / 1440.0),
        ("minute", 1.0 / 1440.0),
        ("mins", 1.0 / 1440.0),
        ("min", 1.0 / 1440.0),
        ("hours", 1.0 / 24.0),
        ("hour", 1.0 / 24.0),
        ("hrs", 1.0 / 24.0),
        ("hr", 1.0 / 24.0),
        ("days", 1.0),
        ("day", 1.0),
        ("weeks", 7.0),
        ("week", 7.0),
        ("fortnight", 14.0),
        ("months", 30.0),
        ("month", 30.0),
        ("years", 365.0),
        ("year", 365.0),
        ("h", 1.0 / 24.0),
        ("s", 1.0 / 86_400.0),
    ];

    /// A duration in days: a number and a unit (`3分钟`, `24小时`, `two weeks`, `30 secs`), or a
    /// unit alone, read as one (`天` in 每天, `minutes` in "cash in minutes"). `h` and `s` only
    /// count after a number (`24h`). A range reads as its upper end: "1至3个工作日审核" takes up
    /// to three days, so it is no claim of speed within a day.
    pub fn duration(text: &[char], pos: usize) -> Option<(usize, f64)> {
        duration_and_range(text, pos, true)
    }

    /// [`duration`], reading a range of two durations (`24h to 72h`) when `range` is set: the
    /// upper end is read without it, so a chain (`1h-1h-1h…`) costs one step, not a recursion
    /// as deep as the text is long.
    fn duration_and_range(text: &[char], pos: usize, range: bool) -> Option<(usize, f64)> {
        let (after, n) = match number_and_upper(text, pos) {
            Some((e, _, v)) => {
                let mut a = e;
                while matches!(text.get(a), Some(' ' | '-')) {
                    a += 1;
                }
                (a, Some(v))
            }
            None => (pos, None),
        };
        // A unit alone must not be the tail of a longer unit or follow a number (工作日 in
        // 3个工作日 is not a bare 日; "hour" in "48-hour" or "48 hours" is not one hour).
        if n.is_none()
            && pos > 0
            && (is_word(text[pos - 1])
                || cn_digit(text[pos - 1]).is_some()
                || "十百千万个工作半".contains(text[pos - 1]))
        {
            return None;
        }
        if n.is_none() {
            let mut before = pos;
            while before > 0 && matches!(text[before - 1], ' ' | '-') {
                before -= 1;
            }
            if before < pos
                && before > 0
                && (text[before - 1].is_ascii_digit() || cn_digit(text[before - 1]).is_some())
            {
                return None;
            }
        }
        // Only a few characters start a unit.
        if !text.get(after).is_some_and(|c| {
            matches!(
                c,
                '个' | '工'
                    | '小'
                    | '钟'
                    | '分'
                    | '秒'
                    | '天'
                    | '日'
                    | '星'
                    | '周'
                    | '月'
                    | '年'
                    | 'b'
                    | 'w'
                    | 's'
                    | 'm'
                    | 'h'
                    | 'd'
                    | 'f'
                    | 'y'
            )
        }) {
            return None;
        }
        let (end, days) = units_starting_with(text[after])
            .iter()
            .map(|i| UNITS[*i])
            .filter(|(u, _)| n.is_some() || u.chars().count() > 1 || !u.is_ascii())
            .find_map(|(u, days)| word_at(text, after, u).map(|e| (e, n.unwrap_or(1.0) * days)))?;
        // A range whose ends both carry a unit (`24h to 72h`, `2小时至3天`) is as long as its
        // upper end, as `24 to 72 hours` is.
        if range && n.is_some() {
            for sep in RANGE_SEPARATORS {
                if let Some(next) = starts_with(text, end, sep)
                    && text.get(next).is_some_and(|c| c.is_ascii_digit())
                    && let Some((upper_end, upper)) = duration_and_range(text, next, false)
                {
                    return Some((upper_end, days.max(upper)));
                }
            }
        }
        Some((end, days))
    }

    /// The indices into [`UNITS`] of the units that start with `c`, in their order (two units
    /// with different first characters never match at the same place, so the order within one
    /// first character is all that matters).
    fn units_starting_with(c: char) -> &'static [usize] {
        static BY_FIRST: std::sync::OnceLock<Vec<(char, Vec<usize>)>> = std::sync::OnceLock::new();
        let by_first = BY_FIRST.get_or_init(|| {
            let mut map: std::collections::BTreeMap<char, Vec<usize>> =
                std::collections::BTreeMap::new();
            for (i, (u, _)) in UNITS.iter().enumerate() {
                if let Some(f) = u.chars().next() {
                    map.entry(f).or_default().push(i);
                }
            }
            map.into_iter().collect()
        });
        by_first
            .binary_search_by_key(&c, |(k, _)| *k)
            .map_or(&[], |i| by_first[i].1.as_slice())
    }

    /// A 分 or 厘 rate (民间借贷 usage): the number and whether it is 厘. 分 = a tenth of the
    /// period's unit rate and 厘 a hundredth: 月息1分 is 1% a month, 月息8厘 0.8%, 年息1分 10% a
    /// year, 日息5厘 0.05% a day; the price parser applies the period.
    pub fn fen(text: &[char], pos: usize) -> Option<(usize, f64, bool)> {
        let (e, v) = arabic(text, pos).or_else(|| chinese(text, pos))?;
        match text.get(e) {
            Some('分') if !matches!(text.get(e + 1), Some('钟' | '之')) => {
                Some((e + 1, v, false))
            }
            Some('厘') => Some((e + 1, v, true)),
            _ => None,
        }
    }

    /// The characters a number can start with.
    pub(crate) fn number_firsts() -> Vec<char> {
        let mut v: Vec<char> = ('0'..='9').collect();
        v.extend(CN_DIGITS.iter().map(|(c, _)| *c));
        v.extend(['十', '半']);
        v.extend(EN_NUMBERS.iter().filter_map(|(w, _)| w.chars().next()));
        v
    }

    /// The characters a duration unit can start with.
    pub(crate) fn unit_firsts() -> Vec<char> {
        UNITS.iter().filter_map(|(u, _)| u.chars().next()).collect()
    }
}

/// A slot's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotKind {
    /// A number.
    Num,
    /// A percentage (as a fraction).
    Pct,
    /// An amount of money (currency units).
    Amt,
    /// A duration (days).
    Dur,
    /// A 分/厘 rate (the raw number; the period scales it).
    Fen,
}

/// One slot filled by a match.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SlotValue {
    /// The slot's type.
    pub kind: SlotKind,
    /// Its name in the pattern (`rate` in `{pct:rate}`), empty when unnamed.
    pub name: String,
    /// The value: a fraction for `pct`, currency units for `amt`, days for `dur`, the number
    /// for `num` and `fen`.
    pub value: f64,
    /// For `fen`: whether the unit is 厘 (a hundredth) rather than 分 (a tenth).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub li: bool,
    /// First character (0-based, in characters).
    pub start: usize,
    /// One past the last character.
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Lit(Vec<char>),
    Slot {
        kind: SlotKind,
        name: String,
    },
    Gap {
        max: usize,
        cross_commas: bool,
    },
    Choice {
        alternatives: Vec<Vec<Node>>,
        /// The characters each alternative can start with, sorted (`None`: it can match
        /// empty text, so it is always tried).
        starts: Vec<Option<Vec<char>>>,
        /// When every alternative has `starts`: for each character an alternative can start
        /// with, the alternatives that can (in their order), sorted by character. One search
        /// finds the few alternatives worth trying.
        by_first: Option<Vec<(char, Vec<usize>)>>,
        optional: bool,
    },
}

/// Slot parses of one text, computed once per position and kind however many patterns ask
/// (a scan tries dozens of patterns that start with a number or a duration at each position).
/// Compact: one `u32` per position and kind (0 not parsed yet, 1 no slot there, k + 2 the
/// k-th parse found), the parses themselves in a side list.
pub(crate) struct SlotMemo {
    /// Per kind, allocated on the kind's first use (a scan asks for two or three of the five).
    states: std::cell::RefCell<[Vec<u32>; 5]>,
    found: std::cell::RefCell<Vec<(usize, f64, bool)>>,
    len: usize,
}

impl SlotMemo {
    /// An empty memo for a text of `len` characters.
    pub(crate) fn new(len: usize) -> Self {
        Self {
            states: std::cell::RefCell::new(Default::default()),
            found: std::cell::RefCell::new(Vec::new()),
            len,
        }
    }

    /// The slot of `kind` starting at `pos`: its end, value and 厘 flag, parsed once.
    pub(crate) fn get(
        &self,
        text: &[char],
        kind: SlotKind,
        pos: usize,
    ) -> Option<(usize, f64, bool)> {
        let k = kind as usize;
        match self.states.borrow()[k].get(pos).copied() {
            Some(0) => {}
            Some(1) => return None,
            Some(n) => return self.found.borrow().get(n as usize - 2).copied(),
            None if pos > self.len => return None,
            None => {}
        }
        let parsed = match kind {
            SlotKind::Num => slots::number(text, pos).map(|(e, v)| (e, v, false)),
            SlotKind::Pct => slots::percent(text, pos).map(|(e, v)| (e, v, false)),
            SlotKind::Amt => slots::amount(text, pos).map(|(e, v)| (e, v, false)),
            SlotKind::Dur => slots::duration(text, pos).map(|(e, v)| (e, v, false)),
            SlotKind::Fen => slots::fen(text, pos),
        };
        let state = match parsed {
            Some(hit) => {
                let mut found = self.found.borrow_mut();
                found.push(hit);
                u32::try_from(found.len() + 1).unwrap_or(1)
            }
            None => 1,
        };
        let mut states = self.states.borrow_mut();
        let of_kind = &mut states[k];
        if of_kind.is_empty() {
            *of_kind = vec![0; self.len + 1];
        }
        if let Some(slot) = of_kind.get_mut(pos) {
            *slot = state;
        }
        parsed
    }
}

/// A slot filled during matching, borrowing its name from the pattern (no allocation while
/// backtracking); it becomes a [`SlotValue`] when the whole pattern matches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit<'p> {
    kind: SlotKind,
    name: &'p str,
    value: f64,
    li: bool,
    start: usize,
    end: usize,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The pattern as written.
    pub source: String,
    nodes: Vec<Node>,
    word_start: bool,
    word_end: bool,
}

/// Why a pattern does not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(pub String);

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A clause separator: gaps and price windows stop there.
pub(crate) fn is_clause_separator(text: &[char], i: usize) -> bool {
    match text[i] {
        ',' | ';' | '!' | '?' | '。' | '\n' | '、' | '|' => true,
        '.' => !text.get(i + 1).is_some_and(|c| c.is_ascii_alphanumeric()),
        _ => false,
    }
}

/// A sentence end: `{far}` gaps and negation scopes stop there.
pub(crate) fn is_sentence_end(text: &[char], i: usize) -> bool {
    match text[i] {
        ';' | '!' | '?' | '。' | '\n' => true,
        '.' => !text.get(i + 1).is_some_and(|c| c.is_ascii_alphanumeric()),
        _ => false,
    }
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    source: &'a str,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> PatternError {
        PatternError(format!(
            "pattern `{}`: {what} (at character {})",
            self.source, self.pos
        ))
    }

    fn sequence(&mut self, depth: usize) -> Result<Vec<Node>, PatternError> {
        let mut nodes: Vec<Node> = Vec::new();
        let mut lit: Vec<char> = Vec::new();
        let flush = |lit: &mut Vec<char>, nodes: &mut Vec<Node>| {
            if !lit.is_empty() {
                nodes.push(Node::Lit(std::mem::take(lit)));
            }
        };
        while let Some(&c) = self.chars.get(self.pos) {
            match c {
                '(' => {
                    flush(&mut lit, &mut nodes);
                    self.pos += 1;
                    let mut alternatives = vec![self.sequence(depth + 1)?];
                    loop {
                        match self.chars.get(self.pos) {
                            Some('|') => {
                                self.pos += 1;
                                alternatives.push(self.sequence(depth + 1)?);
                            }
                            Some(')') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(self.err("unclosed `(`")),
                        }
                    }
                    if alternatives.iter().any(Vec::is_empty) {
                        return Err(self.err("empty alternative (write `(a|b)?` for optional)"));
                    }
                    let optional = self.chars.get(self.pos) == Some(&'?');
                    if optional {
                        self.pos += 1;
                    }
                    let starts = alternatives
                        .iter()
                        .map(|a| {
                            if nullable(a) {
                                return None;
                            }
                            firsts(a).map(|mut f| {
                                f.sort_unstable();
                                f.dedup();
                                f
                            })
                        })
                        .collect::<Vec<Option<Vec<char>>>>();
                    let by_first = if starts.iter().all(Option::is_some) {
                        let mut map: std::collections::BTreeMap<char, Vec<usize>> =
                            std::collections::BTreeMap::new();
                        for (i, first) in starts.iter().enumerate() {
                            for c in first.iter().flatten() {
                                map.entry(*c).or_default().push(i);
                            }
                        }
                        Some(map.into_iter().collect::<Vec<(char, Vec<usize>)>>())
                    } else {
                        None
                    };
                    nodes.push(Node::Choice {
                        alternatives,
                        starts,
                        by_first,
                        optional,
                    });
                }
                '|' | ')' => {
                    if depth == 0 {
                        return Err(self.err(&format!("`{c}` outside a group")));
                    }
                    break;
                }
                '{' => {
                    flush(&mut lit, &mut nodes);
                    let close = self.chars[self.pos..]
                        .iter()
                        .position(|c| *c == '}')
                        .ok_or_else(|| self.err("unclosed `{`"))?;
                    let inner: String = self.chars[self.pos + 1..self.pos + close].iter().collect();
                    let (kind, arg) = inner.split_once(':').unwrap_or((inner.as_str(), ""));
                    let node = match kind {
                        "gap" | "far" => {
                            let max = if arg.is_empty() {
                                6
                            } else {
                                arg.parse::<usize>()
                                    .ok()
                                    .filter(|n| (1..=40).contains(n))
                                    .ok_or_else(|| {
                                        self.err(&format!(
                                            "`{{{inner}}}`: the length must be 1 to 40"
                                        ))
                                    })?
                            };
                            Node::Gap {
                                max,
                                cross_commas: kind == "far",
                            }
                        }
                        _ => {
                            let kind = match kind {
                                "num" => SlotKind::Num,
                                "pct" => SlotKind::Pct,
                                "amt" => SlotKind::Amt,
                                "dur" => SlotKind::Dur,
                                "fen" => SlotKind::Fen,
                                other => {
                                    return Err(self.err(&format!(
                                        "unknown slot `{{{other}}}` (expected num, pct, amt, dur, fen, gap or far)"
                                    )));
                                }
                            };
                            if !arg.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                                return Err(self.err(&format!(
                                    "slot name `{arg}`: lower-case letters and `_` only"
                                )));
                            }
                            Node::Slot {
                                kind,
                                name: arg.to_string(),
                            }
                        }
                    };
                    nodes.push(node);
                    self.pos += close + 1;
                }
                '}' => return Err(self.err("`}` without `{`")),
                '[' | ']' | '*' | '+' => {
                    return Err(self.err(&format!(
                        "`{c}` is not pattern syntax (no character classes or repeats: use `(a|b)` and `{{gap}}`); write `\\{c}` for the character itself"
                    )));
                }
                '?' => return Err(self.err("`?` must follow a group `( )`")),
                '\\' => {
                    let next = self
                        .chars
                        .get(self.pos + 1)
                        .ok_or_else(|| self.err("`\\` at the end"))?;
                    lit.push(super::normalise_char(*next));
                    self.pos += 2;
                }
                _ => {
                    lit.push(super::normalise_char(c));
                    self.pos += 1;
                }
            }
        }
        flush(&mut lit, &mut nodes);
        Ok(nodes)
    }
}

fn nullable(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Lit(_) | Node::Slot { .. } => false,
        Node::Gap { .. } => true,
        Node::Choice {
            alternatives,
            optional,
            ..
        } => *optional || alternatives.iter().any(|a| nullable(a)),
    })
}

/// The characters a match of `nodes` can start with; `None` when a gap can come first.
fn firsts(nodes: &[Node]) -> Option<Vec<char>> {
    let mut out = Vec::new();
    for n in nodes {
        let (chars, may_be_empty) = match n {
            Node::Lit(cs) => (vec![cs[0]], false),
            Node::Slot { kind, .. } => (slot_first_chars(*kind), false),
            Node::Gap { .. } => return None,
            Node::Choice {
                alternatives,
                optional,
                ..
            } => {
                let mut v = Vec::new();
                for a in alternatives {
                    v.extend(firsts(a)?);
                }
                (v, *optional || alternatives.iter().any(|a| nullable(a)))
            }
        };
        out.extend(chars);
        if !may_be_empty {
            out.sort_unstable();
            out.dedup();
            return Some(out);
        }
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// The characters a slot of `kind` can start with.
pub(crate) fn slot_first_chars(kind: SlotKind) -> Vec<char> {
    let mut v = slots::number_firsts();
    match kind {
        SlotKind::Pct => v.extend(['万', '千', '百']),
        SlotKind::Amt => v.extend(slots::amount_firsts()),
        SlotKind::Dur => v.extend(slots::unit_firsts()),
        SlotKind::Num | SlotKind::Fen => {}
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// The first two characters of every match of `nodes`, when they are fixed by literals.
fn pairs(nodes: &[Node]) -> Option<Vec<(char, char)>> {
    match nodes.first()? {
        Node::Lit(cs) if cs.len() >= 2 => {
            Some(vec![(cs[0], if cs[1] == '-' { ' ' } else { cs[1] })])
        }
        Node::Choice {
            alternatives,
            optional: false,
            ..
        } => over_alternatives(alternatives, pairs),
        _ => None,
    }
}

/// `f` of every alternative, joined; `None` when one alternative gives none.
fn over_alternatives<T>(
    alternatives: &[Vec<Node>],
    f: impl Fn(&[Node]) -> Option<Vec<T>>,
) -> Option<Vec<T>> {
    let mut out = Vec::new();
    for a in alternatives {
        out.extend(f(a)?);
    }
    Some(out)
}

/// The key a text position is looked up under in a pair index: a whitespace or a hyphen
/// after the first character counts as the space a pattern writes.
pub(crate) fn pair_key(text: &[char], pos: usize) -> Option<(char, char)> {
    let first = *text.get(pos)?;
    let second = *text.get(pos + 1)?;
    Some((
        first,
        if second.is_whitespace() || second == '-' {
            ' '
        } else {
            second
        },
    ))
}

/// The most strings an anchor set may hold (a choice of more words is left to the index).
const MAX_ANCHORS: usize = 64;

/// How selective a literal is: a Chinese character counts for three ASCII ones.
fn anchor_weight(s: &[char]) -> usize {
    s.iter().map(|c| if c.is_ascii() { 1 } else { 3 }).sum()
}

/// The most required-string sets a pattern is filtered on.
const MAX_REQUIRED_SETS: usize = 4;

/// For each node of `nodes` that requires a literal, the strings at least one of which its
/// match contains (pieces of literals between the spaces a pattern writes, which match any run
/// of spaces or hyphens), most selective first (the longest shortest member, then the fewest
/// members).
fn required_sets(nodes: &[Node]) -> Vec<Vec<Vec<char>>> {
    let mut sets: Vec<(usize, Vec<Vec<char>>)> = nodes
        .iter()
        .filter_map(required_of)
        .map(|set| (set.iter().map(|s| anchor_weight(s)).min().unwrap_or(0), set))
        .collect();
    sets.sort_by(|(a, a_set), (b, b_set)| b.cmp(a).then(a_set.len().cmp(&b_set.len())));
    sets.into_iter().map(|(_, set)| set).collect()
}

/// The most selective of [`required_sets`]: `None` when no node requires a literal.
fn required(nodes: &[Node]) -> Option<Vec<Vec<char>>> {
    required_sets(nodes).into_iter().next()
}

fn required_of(node: &Node) -> Option<Vec<Vec<char>>> {
    match node {
        Node::Lit(cs) => cs
            .split(|c| *c == ' ')
            .filter(|piece| !piece.is_empty())
            .max_by_key(|piece| anchor_weight(piece))
            .map(|piece| vec![piece.to_vec()]),
        Node::Choice {
            alternatives,
            optional: false,
            ..
        } => anchor_set(over_alternatives(alternatives, required)?),
        _ => None,
    }
}

/// Strings one of which every match of `nodes` starts with: the literal up to its first space,
/// or each alternative's (and, after an optional group, what follows it). `None` when a match
/// can start otherwise (a slot, a gap, a space, an alternative that can be empty).
fn leads(nodes: &[Node]) -> Option<Vec<Vec<char>>> {
    match nodes.first()? {
        Node::Lit(cs) => {
            let piece: Vec<char> = cs.iter().take_while(|c| **c != ' ').copied().collect();
            (!piece.is_empty()).then(|| vec![piece])
        }
        Node::Choice {
            alternatives,
            optional,
            ..
        } => {
            let mut out = over_alternatives(alternatives, leads)?;
            if *optional {
                out.extend(leads(&nodes[1..])?);
            }
            anchor_set(out)
        }
        _ => None,
    }
}

/// Where a match of `nodes` can start: lead strings (as [`leads`]) and slots, when every way
/// into `nodes` starts with one or the other. `None` when a match can start otherwise (a gap,
/// a space, an alternative that can be empty).
fn entries(nodes: &[Node]) -> Option<EntryPoints> {
    match nodes.first()? {
        Node::Lit(_) => Some(EntryPoints {
            leads: leads(nodes)?,
            slots: Vec::new(),
        }),
        Node::Slot { kind, .. } => Some(EntryPoints {
            leads: Vec::new(),
            slots: vec![*kind],
        }),
        Node::Choice {
            alternatives,
            optional,
            ..
        } => {
            let mut out = EntryPoints::default();
            for a in alternatives {
                out.join(entries(a)?);
            }
            if *optional {
                out.join(entries(&nodes[1..])?);
            }
            out.leads = anchor_set(out.leads)?;
            Some(out)
        }
        Node::Gap { .. } => None,
    }
}

/// Where a match of a pattern can start: one of its lead strings occurs there, or one of its
/// slots parses there.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct EntryPoints {
    /// Literal strings a match can start with.
    pub(crate) leads: Vec<Vec<char>>,
    /// Slot kinds a match can start with.
    pub(crate) slots: Vec<SlotKind>,
}

impl EntryPoints {
    fn join(&mut self, other: EntryPoints) {
        self.leads.extend(other.leads);
        for kind in other.slots {
            if !self.slots.contains(&kind) {
                self.slots.push(kind);
            }
        }
    }
}

/// Sorted, without repeats, and `None` when too large to be worth indexing.
fn anchor_set(mut set: Vec<Vec<char>>) -> Option<Vec<Vec<char>>> {
    set.sort_unstable();
    set.dedup();
    (set.len() <= MAX_ANCHORS).then_some(set)
}

fn edge_is_word(nodes: &[Node], at_start: bool) -> bool {
    let node = if at_start {
        nodes.first()
    } else {
        nodes.last()
    };
    match node {
        Some(Node::Lit(cs)) => {
            let c = if at_start { cs.first() } else { cs.last() };
            c.is_some_and(|c| slots::is_word(*c))
        }
        Some(Node::Choice { alternatives, .. }) => {
            alternatives.iter().any(|a| edge_is_word(a, at_start))
        }
        _ => false,
    }
}

impl Pattern {
    /// Compiles a pattern.
    pub fn compile(source: &str) -> Result<Self, PatternError> {
        let trimmed = source.trim();
        if trimmed.is_empty() {
            return Err(PatternError("an empty pattern".into()));
        }
        let mut parser = Parser {
            chars: trimmed.chars().collect(),
            pos: 0,
            source,
        };
        let nodes = parser.sequence(0)?;
        if nullable(&nodes) {
            return Err(PatternError(format!(
                "pattern `{source}`: it can match empty text"
            )));
        }
        if firsts(&nodes).is_none() {
            return Err(PatternError(format!(
                "pattern `{source}`: it must not start with a gap"
            )));
        }
        if matches!(nodes.last(), Some(Node::Gap { .. })) {
            return Err(PatternError(format!(
                "pattern `{source}`: it must not end with a gap"
            )));
        }
        Ok(Self {
            source: source.to_string(),
            word_start: edge_is_word(&nodes, true),
            word_end: edge_is_word(&nodes, false),
            nodes,
        })
    }

    /// The characters a match can start with (for indexing).
    pub(crate) fn first_chars(&self) -> Vec<char> {
        firsts(&self.nodes).unwrap_or_default()
    }

    /// The first two characters a match can start with, when every way into the pattern
    /// starts with a literal of two characters or more (a space stands for any run of spaces
    /// or hyphens). `None`: index it by its first character instead.
    pub(crate) fn first_pairs(&self) -> Option<Vec<(char, char)>> {
        let mut v = pairs(&self.nodes)?;
        v.sort_unstable();
        v.dedup();
        Some(v)
    }

    /// Sets of strings such that every match contains at least one string of each set (none:
    /// no literal is required). A scan skips the pattern on a text that lacks every string of
    /// one of the sets.
    pub(crate) fn required_strings(&self) -> Vec<Vec<Vec<char>>> {
        let mut sets = required_sets(&self.nodes);
        sets.truncate(MAX_REQUIRED_SETS);
        sets
    }

    /// Strings one of which every match starts with (`None`: a match can start with a slot,
    /// an optional group or a space). A scan tries the pattern only where one of them occurs.
    pub(crate) fn lead_strings(&self) -> Option<Vec<Vec<char>>> {
        leads(&self.nodes)
    }

    /// Where a match can start, when every way into the pattern starts with a literal or a
    /// slot: a pattern led by a group mixing both (`({dur}|当天)反馈`) is tried where one of
    /// its words occurs or one of its slots parses, not under every character a slot can
    /// start with.
    pub(crate) fn entry_points(&self) -> Option<EntryPoints> {
        entries(&self.nodes)
    }

    /// The names of the pattern's named slots (`rate` in `{pct:rate}`), in any order.
    pub(crate) fn slot_names(&self) -> Vec<&str> {
        fn walk<'a>(nodes: &'a [Node], out: &mut Vec<&'a str>) {
            for n in nodes {
                match n {
                    Node::Slot { name, .. } if !name.is_empty() => out.push(name),
                    Node::Choice { alternatives, .. } => {
                        alternatives.iter().for_each(|a| walk(a, out));
                    }
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.nodes, &mut out);
        out
    }

    /// The slot a match must start with, when the pattern starts with one: such a pattern is
    /// tried only where that slot parses (a number can start with many characters; it
    /// parses at few positions).
    pub(crate) fn leading_slot(&self) -> Option<SlotKind> {
        match self.nodes.first() {
            Some(Node::Slot { kind, .. }) => Some(*kind),
            _ => None,
        }
    }

    /// The match starting at `start` of the normalised `text`: its end and the slots it
    /// filled, or `None`.
    pub fn match_at(&self, text: &[char], start: usize) -> Option<(usize, Vec<SlotValue>)> {
        self.match_at_memo(text, start, &SlotMemo::new(text.len()))
    }

    /// [`Pattern::match_at`] with the slot parses of a scan shared across patterns.
    pub(crate) fn match_at_memo(
        &self,
        text: &[char],
        start: usize,
        memo: &SlotMemo,
    ) -> Option<(usize, Vec<SlotValue>)> {
        self.match_at_with(text, start, memo, &mut Vec::new())
    }

    /// [`Pattern::match_at_memo`] with the buffer for slots being filled lent by the caller, so
    /// a scan that tries many patterns allocates it once.
    pub(crate) fn match_at_with<'p>(
        &'p self,
        text: &[char],
        start: usize,
        memo: &SlotMemo,
        hits: &mut Vec<Hit<'p>>,
    ) -> Option<(usize, Vec<SlotValue>)> {
        if self.word_start && start > 0 && slots::is_word(text[start - 1]) {
            return None;
        }
        let m = Matcher { text, memo };
        hits.clear();
        let mut end = None;
        let word_end = self.word_end;
        let mut accept = |e: usize, _: &mut Vec<Hit<'_>>| {
            if word_end && text.get(e).is_some_and(|c| slots::is_word(*c)) {
                return false;
            }
            end = Some(e);
            true
        };
        m.seq(&self.nodes, start, hits, &mut accept);
        end.map(|e| {
            let slots = hits
                .iter()
                .map(|h| SlotValue {
                    kind: h.kind,
                    name: h.name.to_string(),
                    value: h.value,
                    li: h.li,
                    start: h.start,
                    end: h.end,
                })
                .collect();
            (e, slots)
        })
    }
}

type Continuation<'k, 'p> = dyn FnMut(usize, &mut Vec<Hit<'p>>) -> bool + 'k;

struct Matcher<'t> {
    text: &'t [char],
    memo: &'t SlotMemo,
}

impl Matcher<'_> {
    fn seq<'p>(
        &self,
        nodes: &'p [Node],
        pos: usize,
        caps: &mut Vec<Hit<'p>>,
        k: &mut Continuation<'_, 'p>,
    ) -> bool {
        match nodes.split_first() {
            None => k(pos, caps),
            Some((node, rest)) => self.node(node, pos, caps, &mut |p, caps: &mut Vec<Hit<'p>>| {
                self.seq(rest, p, caps, k)
            }),
        }
    }

    fn node<'p>(
        &self,
        node: &'p Node,
        pos: usize,
        caps: &mut Vec<Hit<'p>>,
        k: &mut Continuation<'_, 'p>,
    ) -> bool {
        let text = self.text;
        match node {
            Node::Lit(cs) => {
                let mut i = pos;
                for &c in cs {
                    if c == ' ' {
                        let from = i;
                        while text.get(i).is_some_and(|t| t.is_whitespace() || *t == '-') {
                            i += 1;
                        }
                        if i == from {
                            return false;
                        }
                    } else if text.get(i) == Some(&c) {
                        i += 1;
                    } else {
                        return false;
                    }
                }
                k(i, caps)
            }
            Node::Slot { kind, name } => {
                let Some((end, value, li)) = self.memo.get(text, *kind, pos) else {
                    return false;
                };
                caps.push(Hit {
                    kind: *kind,
                    name,
                    value,
                    li,
                    start: pos,
                    end,
                });
                if k(end, caps) {
                    true
                } else {
                    caps.pop();
                    false
                }
            }
            Node::Gap { max, cross_commas } => {
                let mut p = pos;
                loop {
                    if k(p, caps) {
                        return true;
                    }
                    if p >= text.len() || p - pos >= *max {
                        return false;
                    }
                    let stop = if *cross_commas {
                        is_sentence_end(text, p)
                    } else {
                        is_clause_separator(text, p)
                    };
                    if stop {
                        return false;
                    }
                    p += 1;
                }
            }
            Node::Choice {
                alternatives,
                starts,
                by_first,
                optional,
            } => {
                let next = text.get(pos).map(|c| {
                    if c.is_whitespace() || *c == '-' {
                        ' '
                    } else {
                        *c
                    }
                });
                if let Some(by_first) = by_first {
                    // Only the alternatives that can start with the next character are tried,
                    // in their order (most of a choice of words fails on its first letter).
                    if let Some(c) = next
                        && let Ok(i) = by_first.binary_search_by_key(&c, |(k, _)| *k)
                    {
                        for &a in &by_first[i].1 {
                            if self.seq(&alternatives[a], pos, caps, k) {
                                return true;
                            }
                        }
                    }
                    // A literal space also matches a hyphen or any whitespace: those
                    // alternatives are listed under ' ' and tried above through `next`.
                    return *optional && k(pos, caps);
                }
                for (a, first) in alternatives.iter().zip(starts) {
                    if let Some(first) = first
                        && next.is_none_or(|c| first.binary_search(&c).is_err())
                    {
                        continue;
                    }
                    if self.seq(a, pos, caps, k) {
                        return true;
                    }
                }
                *optional && k(pos, caps)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::slots::*;
    use super::*;
    use proptest::prelude::*;

    /// `slots::arabic_digits` as it was before its stack buffer: the digits and the point
    /// collected into a `String`, then parsed.
    fn arabic_digits_in_a_string(text: &[char], pos: usize) -> Option<(usize, f64)> {
        let mut i = pos;
        let mut digits = String::new();
        let mut seen_point = false;
        while i < text.len() {
            let c = text[i];
            if c.is_ascii_digit() {
                digits.push(c);
            } else if c == ','
                && !seen_point
                && !digits.is_empty()
                && (text
                    .get(i + 1..i + 4)
                    .is_some_and(|g| g.iter().all(char::is_ascii_digit))
                    && !text.get(i + 4).is_some_and(char::is_ascii_digit)
                    || lakh_separator(text, i))
            {
            } else if c == '.'
                && !seen_point
                && !digits.is_empty()
                && text.get(i + 1).is_some_and(char::is_ascii_digit)
            {
                seen_point = true;
                digits.push('.');
            } else {
                break;
            }
            i += 1;
        }
        if digits.is_empty() {
            return None;
        }
        digits.parse::<f64>().ok().map(|v| (i, v))
    }

    proptest! {
        /// Digits read from the stack buffer give the end and the value the `String` gave,
        /// numbers longer than the buffer included.
        #[test]
        fn arabic_digits_read_as_they_were_read_from_a_string(
            text in "[0-9,. a]{0,12}|[0-9]{1,3}(,[0-9]{3}){0,20}(\\.[0-9]{1,30})?|[0-9]{1,2}(,[0-9]{2}){0,6}(,[0-9]{3})?(\\.[0-9]{1,3})?|[0-9]{30,60}"
        ) {
            let t: Vec<char> = text.chars().collect();
            for pos in 0..=t.len() {
                prop_assert_eq!(arabic_digits(&t, pos), arabic_digits_in_a_string(&t, pos), "{:?} at {}", text, pos);
            }
        }
    }

    fn chars(s: &str) -> Vec<char> {
        super::super::normalise(s).chars().collect()
    }

    fn find(pattern: &str, text: &str) -> Option<(String, Vec<SlotValue>)> {
        let p = Pattern::compile(pattern).unwrap();
        let t = chars(text);
        (0..t.len()).find_map(|i| {
            p.match_at(&t, i)
                .map(|(e, s)| (text.chars().skip(i).take(e - i).collect(), s))
        })
    }

    #[test]
    fn numbers_in_every_form() {
        let n = |s: &str| number(&chars(s), 0);
        assert_eq!(n("1,000元"), Some((5, 1000.0)));
        assert_eq!(n("0.05%"), Some((4, 0.05)));
        assert_eq!(n("2万"), Some((2, 20_000.0)));
        assert_eq!(n("1.5万"), Some((4, 15_000.0)));
        assert_eq!(n("两万"), Some((2, 20_000.0)));
        assert_eq!(n("一万五千"), Some((4, 15_000.0)));
        assert_eq!(n("十五"), Some((2, 15.0)));
        assert_eq!(n("三千"), Some((2, 3000.0)));
        assert_eq!(n("5k"), Some((2, 5000.0)));
        assert_eq!(n("two weeks"), Some((3, 2.0)));
        assert_eq!(n("3-5天"), Some((3, 3.0)));
        assert_eq!(n("3至5天"), Some((3, 3.0)));
        assert_eq!(
            n("1,00"),
            Some((1, 1.0)),
            "a comma not followed by 3 digits"
        );
        assert_eq!(n("someone"), None, "no number inside a word");
        assert_eq!(n("万分之五"), None);
        assert_eq!(number(&chars("12%"), 1), None, "not from inside a number");
        assert_eq!(
            number(&chars("三十五"), 1),
            None,
            "not from inside a Chinese number"
        );
    }

    #[test]
    fn percentages_amounts_durations_fen() {
        let p = |s: &str| percent(&chars(s), 0).map(|(_, v)| v);
        assert!((p("12%").unwrap() - 0.12).abs() < 1e-12);
        assert!((p("万分之五").unwrap() - 0.0005).abs() < 1e-15);
        assert!((p("万分之三点").unwrap() - 0.0003).abs() < 1e-15);
        assert!((p("千分之3").unwrap() - 0.003).abs() < 1e-15);
        assert!((p("万五").unwrap() - 0.0005).abs() < 1e-15, "日息万五");
        assert_eq!(p("万五千"), None, "15,000 is not a rate");
        assert!((p("百分之十二").unwrap() - 0.12).abs() < 1e-12);
        assert!((p("1.5 per cent").unwrap() - 0.015).abs() < 1e-12);
        assert!((p("1 pc").unwrap() - 0.01).abs() < 1e-12);
        assert!((p("30pc a month").unwrap() - 0.30).abs() < 1e-12);
        assert_eq!(p("5 pcs"), None, "pieces are not a percentage");
        assert_eq!(p("2 pcm"), None, "per calendar month is not a percentage");
        assert_eq!(percent(&chars("7.2%-24%"), 0).map(|(e, _)| e), Some(8));
        assert_eq!(p("12"), None, "a number is not a percentage");
        // Number words and ranges whose suffix comes once (batch 125: "interest rates as low as
        // one to two percent").
        assert!((p("two percent a month").unwrap() - 0.02).abs() < 1e-12);
        assert!((p("five per cent").unwrap() - 0.05).abs() < 1e-12);
        assert_eq!(percent(&chars("one to two percent"), 0), Some((18, 0.01)));
        assert_eq!(percent(&chars("1 to 2 per cent"), 0), Some((15, 0.01)));
        assert_eq!(percent(&chars("3-5% fee"), 0), Some((4, 0.03)));
        assert_eq!(p("a few percent"), None, "a vague quantity is no rate");
        assert_eq!(
            p("one of our"),
            None,
            "a number word alone is no percentage"
        );
        assert_eq!(
            p("two to three days"),
            None,
            "a range of days is no percentage"
        );
        assert_eq!(
            percent(&chars("someone percent"), 4),
            None,
            "not from inside a word"
        );
        let a = |s: &str| amount(&chars(s), 0).map(|(_, v)| v);
        assert_eq!(a("$1,000 today"), Some(1000.0));
        assert_eq!(a("£ 500"), Some(500.0));
        assert_eq!(a("¥2000"), Some(2000.0));
        assert_eq!(a("￥2000"), Some(2000.0));
        assert_eq!(a("5000元"), Some(5000.0));
        assert_eq!(a("2万"), Some(20_000.0));
        assert_eq!(a("千元"), Some(1000.0));
        assert_eq!(a("300 dollars"), Some(300.0));
        // Currencies of Asian and other markets by name, and scale words.
        assert_eq!(a("100 million riel"), Some(100_000_000.0));
        assert_eq!(a("50,000 tugriks"), Some(50_000.0));
        assert_eq!(a("2,000 baht a month"), Some(2000.0));
        assert_eq!(a("$2 million"), Some(2_000_000.0));
        assert_eq!(a("5 lakh rupees"), Some(500_000.0));
        assert_eq!(a("10,000 cfa francs"), Some(10_000.0));
        assert_eq!(a("10,000 francs"), Some(10_000.0));
        // Indian digit grouping and a scale word after a currency code (batch 129).
        assert_eq!(a("Rs 4,78,000 to all"), Some(478_000.0));
        assert_eq!(a("Rs 1,00,00,000"), Some(10_000_000.0));
        assert_eq!(a("₹2,00,000"), Some(200_000.0));
        assert_eq!(a("Rs 5 lakh on"), Some(500_000.0));
        assert_eq!(a("KSh 1 million"), Some(1_000_000.0));
        assert_eq!(
            a("Rs 1,23,45"),
            Some(1.0),
            "two-digit groups that end in no three-digit group are no grouping"
        );
        assert_eq!(
            a("2 million customers"),
            None,
            "a scale without currency is no amount"
        );
        assert_eq!(
            a("3 won"),
            None,
            "a currency name that is an English word is not read"
        );
        // Currencies of other markets: codes and abbreviations before or after, signs.
        assert_eq!(a("pkr 80 on"), Some(80.0));
        assert_eq!(a("rs. 3,000"), Some(3000.0));
        assert_eq!(a("rs 25,000"), Some(25_000.0));
        assert_eq!(a("ksh1,500"), Some(1500.0));
        assert_eq!(a("sh150 to"), Some(150.0));
        assert_eq!(a("sh 1,500"), Some(1500.0));
        assert_eq!(a("rm 500"), Some(500.0));
        assert_eq!(a("r65"), Some(65.0));
        assert_eq!(a("n15,000 and"), Some(15_000.0));
        assert_eq!(a("n500"), Some(500.0));
        assert_eq!(a("r5k"), Some(5000.0));
        assert_eq!(a("ci$20"), Some(20.0));
        assert_eq!(a("hk$ 1,000"), Some(1000.0));
        assert_eq!(a("gh₵200"), Some(200.0));
        assert_eq!(a("₦5,000"), Some(5000.0));
        assert_eq!(a("₱1,000"), Some(1000.0));
        assert_eq!(a("15,000 mwk applies"), Some(15_000.0));
        assert_eq!(a("500 rupees"), Some(500.0));
        assert_eq!(a("2,000 kes"), Some(2000.0));
        assert_eq!(a("d25 loan"), Some(25.0));
        assert_eq!(a("d2,000 to"), Some(2000.0));
        assert_eq!(a("gmd 500"), Some(500.0));
        assert_eq!(a("1,500 dalasi"), Some(1500.0));
        // Near misses: a code must be a whole word before a number, the digits must end the word.
        assert_eq!(a("r2d2"), None, "a name, not rand");
        assert_eq!(a("r 500"), None, "a lone R with a space is no currency");
        assert_eq!(a("d 500"), None, "nor a lone D");
        assert_eq!(a("d2d sales"), None, "a word, not dalasi");
        assert_eq!(a("d-day"), None);
        assert_eq!(a("n95 masks"), None, "under 100 after N: no naira");
        assert_eq!(a("n1 highway"), None);
        assert_eq!(a("shh 150"), None, "not a shilling");
        assert_eq!(a("sh2op"), None, "the digits must end the word");
        assert_eq!(a("n 500"), None);
        assert_eq!(a("p2p lending"), None);
        assert_eq!(
            a("p10,000 at 20%"),
            Some(10_000.0),
            "the Philippine peso as P"
        );
        assert_eq!(a("p11,498.60 due"), Some(11_498.6));
        assert_eq!(a("p2 form"), None, "under 100 after P: no peso");
        assert_eq!(a("p 500"), None);
        assert_eq!(a("p500x"), None);
        // Ugandan news's Shs, the Ethiopian birr, and K for the kwacha and the kina.
        assert_eq!(a("shs410,000 and"), Some(410_000.0));
        assert_eq!(a("10,000 birr loan"), Some(10_000.0));
        assert_eq!(a("etb 5,000"), Some(5000.0));
        assert_eq!(a("k1,300 in"), Some(1300.0));
        assert_eq!(a("pgk 700 with"), Some(700.0));
        assert_eq!(a("700 kina"), Some(700.0));
        assert_eq!(a("1,000 tala and"), Some(1000.0));
        // A currency word joined by a hyphen (`a 450-shilling deduction`); other hyphenated
        // words are no currency.
        assert_eq!(a("450-shilling deduction"), Some(450.0));
        assert_eq!(a("30600-dollar penalty"), Some(30_600.0));
        assert_eq!(
            amount(&chars("450-shilling deduction"), 0).map(|(e, _)| e),
            Some(12)
        );
        assert_eq!(a("24-hour service"), None);
        assert_eq!(a("3-month loan"), None);
        assert_eq!(
            a("450- shillings"),
            None,
            "a hyphen then a space joins nothing"
        );
        assert_eq!(a("k12 schools"), None, "under 100 after K: no kwacha");
        assert_eq!(a("k 500"), None, "a lone K with a space is no currency");
        assert_eq!(a("k9s"), None);
        assert_eq!(a("shsh 150"), None, "not a shilling");
        assert_eq!(a("rsvp 12"), None);
        assert_eq!(a("kes"), None, "a code without a number");
        assert_eq!(a("pkr500x"), None);
        assert_eq!(a("12 rmbx"), None);
        assert_eq!(amount(&chars("apkr 80"), 1), None, "inside a word");
        assert_eq!(a("500 randomly"), None);
        assert_eq!(
            a("12期"),
            None,
            "a number without currency is not an amount"
        );
        let d = |s: &str| duration(&chars(s), 0).map(|(_, v)| v);
        assert_eq!(
            duration(&chars("48-hour process"), 3),
            None,
            "the tail of 48-hour"
        );
        assert_eq!(
            duration(&chars("in 48 hours"), 6),
            None,
            "the tail of 48 hours"
        );
        assert_eq!(d("48-hour"), Some(2.0));
        assert!((d("3分钟").unwrap() - 3.0 / 1440.0).abs() < 1e-15);
        assert_eq!(d("24小时"), Some(1.0));
        assert_eq!(d("两周"), Some(14.0));
        assert_eq!(d("two weeks"), Some(14.0));
        assert_eq!(d("minutes"), Some(1.0 / 1440.0));
        assert!((d("30s").unwrap() - 30.0 / 86_400.0).abs() < 1e-15);
        assert_eq!(
            duration(&chars("3个工作日"), 4),
            None,
            "a bare unit inside another"
        );
        assert_eq!(d("s"), None, "a one-letter unit needs a number");
        assert_eq!(d("3个月"), Some(90.0));
        // A range whose ends both carry a unit is as long as its upper end.
        assert_eq!(d("24h to 72h"), Some(3.0));
        assert_eq!(d("24h-48h"), Some(2.0));
        assert_eq!(d("2 hours to 3 days"), Some(3.0));
        assert_eq!(d("2小时至3天"), Some(3.0));
        assert_eq!(d("24h, 7 days a week"), Some(1.0), "a list is no range");
        assert_eq!(d("24h - apply now"), Some(1.0));
        // A chain is read one range deep (no recursion as deep as the text).
        let chain = "1h-".repeat(100_000) + "1h";
        assert_eq!(duration(&chars(&chain), 0), Some((5, 1.0 / 24.0)));
        assert_eq!(fen(&chars("1分"), 0), Some((2, 1.0, false)));
        assert_eq!(fen(&chars("8厘"), 0), Some((2, 8.0, true)));
        assert_eq!(fen(&chars("3分钟"), 0), None);
    }

    #[test]
    fn patterns_match_with_slots_groups_and_boundaries() {
        let (m, s) = find("最快{dur}(内)?(到账|放款)", "注册后最快3分钟到账哦").unwrap();
        assert_eq!(m, "最快3分钟到账");
        assert_eq!(s[0].kind, SlotKind::Dur);
        assert!(find("(cash|funds) in {dur}", "Get cash in minutes!").is_some());
        assert!(find("same day", "same-day funding").is_some());
        assert!(find("apr", "Apply in April").is_none(), "word boundary");
        let (m, _) = find("日息{gap:4}{pct:rate}", "日息低至0.02%").unwrap();
        assert_eq!(m, "日息低至0.02%");
        assert!(
            find("日息{gap:4}{pct:rate}", "日息低，年化0.02%").is_none(),
            "a gap stops at a comma"
        );
        assert!(find("借{amt}{far:8}{amt}", "借1万用1天，利息2元").is_some());
        // Brackets, `*` and `+` are the characters themselves when escaped.
        assert!(find("\\[1\\] loans", "see note [1] loans").is_some());
        assert!(find("(60|65)\\+ (borrowers|only)", "loans for 65+ borrowers").is_some());
    }

    #[test]
    fn malformed_patterns_are_refused_with_the_reason() {
        for (p, why) in [
            ("(a|b", "unclosed"),
            ("a|b", "outside a group"),
            ("{cash}", "unknown slot"),
            ("{gap}x", "start with a gap"),
            ("x{gap}", "end with a gap"),
            ("(a)?", "empty text"),
            ("a?", "must follow a group"),
            ("[a-z ]", "not pattern syntax"),
            ("loans]", "not pattern syntax"),
            ("a+ b", "not pattern syntax"),
            ("credit*", "not pattern syntax"),
            ("(a|)", "empty alternative"),
            ("{gap:99}x", "1 to 40"),
            ("", "empty"),
        ] {
            let e = Pattern::compile(p).unwrap_err();
            assert!(e.0.contains(why), "{p}: {e}");
        }
    }
}
