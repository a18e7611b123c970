//! `finrisk suggest`: the judicial suggestion (司法建议) to one plaintiff institution, drafted
//! from a docket of scored cases ([`finrisk_engine::docket::draft_suggestion`]) and written as
//! HTML and Markdown, in Chinese for CN rulesets and English otherwise (or as asked).

use crate::cli::SuggestArgs;
use crate::failure::bad_input;
use crate::report::docket::{money, read_docket};
use finrisk_engine::docket::{LetterLanguage, Suggestion, draft_suggestion};
use finrisk_engine::domain::Jurisdiction;
use serde_json::json;

pub(crate) fn run(args: &SuggestArgs) -> anyhow::Result<String> {
    let language = match args.lang.as_deref() {
        None => None,
        Some(l) => Some(
            LetterLanguage::parse(l)
                .ok_or_else(|| bad_input(format!("lang: `{l}` is not zh or en")))?,
        ),
    };
    let cases = read_docket(&args.input)?;
    let jurisdiction = cases
        .iter()
        .find(|c| c.institution_id == args.institution)
        .map(|c| c.jurisdiction.clone())
        .unwrap_or_else(|| "CN".to_string());
    let jurisdiction = Jurisdiction::parse(&jurisdiction).ok_or_else(|| {
        bad_input(format!(
            "input: jurisdiction: `{jurisdiction}` is not CN, US, EU or UK"
        ))
    })?;
    let ruleset = crate::input::load_ruleset(args.rules.rules.as_deref(), jurisdiction)?;
    match draft_suggestion(&cases, &args.institution, &ruleset, language)? {
        Err(none) => crate::output::to_json(&json!({
            "drafted": false,
            "institution_id": none.institution_id,
            "cases": none.cases,
            "reason": none.reason,
            "most_frequent": none.most_frequent,
        })),
        Ok(letter) => {
            std::fs::create_dir_all(&args.out).map_err(|e| {
                bad_input(format!("out: cannot create {}: {e}", args.out.display()))
            })?;
            let stem = format!("suggestion-{}", file_safe(&letter.institution_id));
            let md = markdown(&letter);
            let html = html(&letter, &md);
            let md_path = args.out.join(format!("{stem}.md"));
            let html_path = args.out.join(format!("{stem}.html"));
            finrisk_datasets::write::write_atomically(&md_path, md.as_bytes())?;
            finrisk_datasets::write::write_atomically(&html_path, html.as_bytes())?;
            crate::output::to_json(&json!({
                "drafted": true,
                "files": [html_path.display().to_string(), md_path.display().to_string()],
                "letter": letter,
            }))
        }
    }
}

/// An institution id as a file-name part: letters, digits, `-` and `_` kept, the rest `_`.
fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// 1 -> 一, 12 -> 十二, 21 -> 二十一 (item numbers of a Chinese letter, up to 99).
fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[n % 10]
            }
        ),
        _ => n.to_string(),
    }
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// The fixed words of a letter in one language; `{}` marks where figures go, in order.
struct Words {
    title: &'static str,
    to: &'static str,
    /// Cases, institution, first month, last month, threshold share.
    intro: fn(usize, &str, &str, &str, &str) -> String,
    /// Item number and code, meaning.
    heading: fn(usize, &str, &str) -> String,
    /// Cases carrying the code, cases of the institution, share.
    cases: fn(usize, usize, &str) -> String,
    excess: &'static str,
    examples: &'static str,
    list_separator: &'static str,
    basis: &'static str,
    remedy: &'static str,
    amounts: &'static str,
    claimed: &'static str,
    cost: &'static str,
    /// Amount, cases above the cap.
    not_supported: fn(&str, usize) -> String,
    supportable: &'static str,
    /// Cases the letter rests on.
    rests_on: fn(usize) -> String,
    closing: &'static str,
    /// Version, ruleset version, jurisdiction.
    footnote: fn(&str, &str, &str) -> String,
}

const ZH: Words = Words {
    title: "司法建议书（草稿）",
    to: "致：",
    intro: |n, _, first, last, share| {
        format!(
            "本院在审理以贵单位为原告的{n}件金融借款合同纠纷案件（起诉时间{first}至{last}）中，发现以下问题。每一项问题均见于贵单位不少于{share}的案件。"
        )
    },
    heading: |k, code, _| format!("{}、{code}", chinese_number(k)),
    cases: |c, _, share| format!("涉及案件：{c}件，占{share}"),
    excess: "上述案件中超出利率上限的部分合计：",
    examples: "示例案件：",
    list_separator: "、",
    basis: "依据：",
    remedy: "建议：",
    amounts: "涉案金额",
    claimed: "诉请本金及利息费用合计：",
    cost: "已付及诉请的利息费用合计：",
    not_supported: |amount, n| format!("超出利率上限、不予支持的部分：{amount}（{n}件案件）"),
    supportable: "可予支持的诉请金额：",
    rests_on: |n| format!("本建议所依据的案件（{n}件）"),
    closing: "请贵单位对上述问题进行整改，并于收到本建议书后将整改情况书面函复本院。",
    footnote: |version, ruleset, j| {
        format!(
            "本草稿由 finrisk {version} 依据规则集 {ruleset}（{j}）自案件评估结果生成，金额与案件数均可在评估结果表中逐项核对；须经承办法官审核后方可发出。"
        )
    },
};

const EN: Words = Words {
    title: "Judicial suggestion (draft)",
    to: "To: ",
    intro: |n, inst, first, last, share| {
        format!(
            "In the {n} loan-dispute cases in which {inst} is the plaintiff (filed {first} to {last}), the court found the following patterns. Each is carried by at least {share} of the institution's cases."
        )
    },
    heading: |k, code, meaning| format!("{k}. {code}: {meaning}"),
    cases: |c, n, share| format!("Cases: {c} of {n} ({share})"),
    excess: "Excess over the cap in these cases: ",
    examples: "Example cases: ",
    list_separator: ", ",
    basis: "Legal basis: ",
    remedy: "The court suggests: ",
    amounts: "Amounts",
    claimed: "Principal and costs claimed: ",
    cost: "Costs paid and claimed: ",
    not_supported: |amount, n| format!("Excess over the cap, not supported: {amount} ({n} cases)"),
    supportable: "Supportable claims: ",
    rests_on: |n| format!("Cases this suggestion rests on ({n})"),
    closing: "The institution is asked to remedy these practices and to reply to the court in writing with the measures taken.",
    footnote: |version, ruleset, j| {
        format!(
            "Drafted by finrisk {version} under ruleset {ruleset} ({j}) from the scored cases; every count and amount can be checked against the scored table. A judge must review it before it is sent."
        )
    },
};

/// The letter in Markdown.
fn markdown(s: &Suggestion) -> String {
    let w = match s.language {
        LetterLanguage::Zh => &ZH,
        LetterLanguage::En => &EN,
    };
    let t = &s.totals;
    let amount = |minor: i64| format!("{} {}", money(minor), t.currency);
    let mut m = format!("# {}\n\n{}{}\n\n", w.title, w.to, s.institution_id);
    m.push_str(&(w.intro)(
        t.cases,
        &s.institution_id,
        &s.period.0,
        &s.period.1,
        &percent(s.min_share),
    ));
    m.push('\n');
    for (k, item) in s.items.iter().enumerate() {
        m.push_str(&format!(
            "\n## {}\n\n",
            (w.heading)(k + 1, &item.code, &item.meaning)
        ));
        m.push_str(&format!(
            "- {}\n",
            (w.cases)(item.cases, t.cases, &percent(item.share))
        ));
        if item.code == "RC-COST-CAP" {
            m.push_str(&format!("- {}{}\n", w.excess, amount(item.excess_minor)));
        }
        m.push_str(&format!(
            "- {}{}\n",
            w.examples,
            item.example_cases.join(w.list_separator)
        ));
        m.push_str(&format!("- {}{}\n", w.basis, item.basis));
        m.push_str(&format!("- {}{}\n", w.remedy, item.remedy));
    }
    m.push_str(&format!("\n## {}\n\n", w.amounts));
    m.push_str(&format!("- {}{}\n", w.claimed, amount(t.claimed_minor)));
    m.push_str(&format!("- {}{}\n", w.cost, amount(t.total_cost_minor)));
    m.push_str(&format!(
        "- {}\n",
        (w.not_supported)(&amount(t.excess_minor), t.cases_above_cap)
    ));
    m.push_str(&format!(
        "- {}{}\n",
        w.supportable,
        amount(t.supportable_claim_minor)
    ));
    m.push_str(&format!(
        "\n## {}\n\n{}\n",
        (w.rests_on)(s.cases.len()),
        s.cases.join(w.list_separator)
    ));
    m.push_str(&format!("\n{}\n", w.closing));
    m.push_str(&format!(
        "\n> {}\n",
        (w.footnote)(
            env!("CARGO_PKG_VERSION"),
            &s.ruleset_version,
            &s.jurisdiction
        )
    ));
    m
}

/// The letter as a self-contained HTML page: the Markdown's content, escaped, with headings
/// and lists as HTML.
fn html(s: &Suggestion, md: &str) -> String {
    use crate::report::html_escape as escape;
    let lang = match s.language {
        LetterLanguage::Zh => "zh",
        LetterLanguage::En => "en",
    };
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>body{{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:820px;margin:2em auto;padding:0 1em;line-height:1.6;color:#222}}blockquote{{color:#555;border-left:3px solid #ccc;margin:1em 0;padding-left:1em}}</style>\n</head>\n<body>\n",
        escape(&format!("{} {}", s.institution_id, "suggestion"))
    );
    let mut in_list = false;
    for line in md.lines() {
        let is_item = line.starts_with("- ");
        if in_list && !is_item {
            h.push_str("</ul>\n");
            in_list = false;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            h.push_str(&format!("<h1>{}</h1>\n", escape(rest)));
        } else if let Some(rest) = line.strip_prefix("## ") {
            h.push_str(&format!("<h2>{}</h2>\n", escape(rest)));
        } else if let Some(rest) = line.strip_prefix("> ") {
            h.push_str(&format!("<blockquote>{}</blockquote>\n", escape(rest)));
        } else if let Some(rest) = line.strip_prefix("- ") {
            if !in_list {
                h.push_str("<ul>\n");
                in_list = true;
            }
            h.push_str(&format!("<li>{}</li>\n", escape(rest)));
        } else if !line.trim().is_empty() {
            h.push_str(&format!("<p>{}</p>\n", escape(line)));
        }
    }
    if in_list {
        h.push_str("</ul>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_item_numbers() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(21), "二十一");
    }

    #[test]
    fn ids_become_file_names() {
        assert_eq!(file_safe("INST-A"), "INST-A");
        assert_eq!(file_safe("../x y"), "___x_y");
    }
}
