//! [`Report::to_html`]: one self-contained page. No script, no font, no
//! stylesheet or image to fetch: styles inline, charts inline SVG, each
//! chart followed by a table of its figures. The totals carry
//! `data-figure` attributes so a check can read them back.

use std::fmt::Write as _;

use super::charts::{self, Bar};
use crate::report::model::{ClientUsage, DayUsage, Report, TemplateUsage, Usage};
use crate::report::terminal::client_label;
use crate::report::text::{change, count, percent, sparkline};

use super::style::STYLE;

impl Report {
    /// The report as one self-contained HTML page (UTF-8): totals, a chart
    /// of requests per day stacked by status class with the 429s marked,
    /// bar charts of the top clients and endpoints, and every table of the
    /// terminal view. It needs no script and fetches nothing; it reads on a
    /// phone (the daily chart scrolls sideways) and prints.
    #[must_use]
    pub fn to_html(&self) -> String {
        let title = crate::report::title(self);
        let mut p = String::with_capacity(64 * 1024);
        let _ = write!(
            p,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
            esc(&title),
            esc(&title)
        );
        let _ = writeln!(
            p,
            "<p class=\"sub\">{} daily records from the store. Days are UTC; shares are of the \
             requests in the range.</p>",
            count(i64::try_from(self.records).unwrap_or(i64::MAX))
        );
        totals(&mut p, self);
        daily(&mut p, self);
        if self.organizations.len() > 1 {
            let rows: Vec<(String, &Usage)> = self
                .organizations
                .iter()
                .map(|o| (o.id.clone(), &o.usage))
                .collect();
            section(&mut p, "organizations", "Organisations");
            usage_table(&mut p, "Requests by organisation", "organisation", &rows);
        }
        ranking(
            &mut p,
            "clients",
            "Top OAuth clients",
            &client_rows(&self.top_clients),
        );
        ranking(
            &mut p,
            "templates",
            "Top endpoints",
            &template_rows(&self.top_templates),
        );
        section(&mut p, "busiest", "Busiest days");
        days_table(
            &mut p,
            "The days with the most requests",
            &self.busiest_days,
        );
        section(&mut p, "growing", "Fastest-growing clients");
        growing(&mut p, self);
        section(&mut p, "throttled-clients", "Most 429s by client");
        usage_table(
            &mut p,
            "Clients by 429s",
            "client",
            &client_rows(&self.most_429_clients),
        );
        section(&mut p, "throttled-templates", "Most 429s by endpoint");
        let rows = template_rows(&self.most_429_templates);
        usage_table(&mut p, "Endpoints by 429s", "endpoint", &rows);
        p.push_str("</section>\n</main>\n</body>\n</html>\n");
        p
    }
}

/// Escapes text for HTML content and double-quoted attributes.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Closes the previous section (if any) and opens the next.
fn section(p: &mut String, id: &str, heading: &str) {
    if p.contains("<section") {
        p.push_str("</section>\n");
    }
    let _ = writeln!(p, "<section id=\"{id}\">\n<h2>{}</h2>", esc(heading));
}

fn totals(p: &mut String, r: &Report) {
    section(p, "totals", "Totals");
    let c = &r.totals;
    p.push_str("<dl class=\"totals\">\n");
    for (key, label, value) in [
        ("requests", "Requests", count(c.requests)),
        ("status200", "2xx", count(c.status200)),
        ("status300", "3xx", count(c.status300)),
        ("status400", "4xx", count(c.status400)),
        ("status429", "429", count(c.status429)),
        ("status500", "5xx", count(c.status500)),
        ("share429", "429 share", percent(c.share_429())),
        ("share5xx", "5xx share", percent(c.share_5xx())),
    ] {
        let _ = writeln!(
            p,
            "<div><dt>{label}</dt><dd data-figure=\"{key}\">{value}</dd></div>"
        );
    }
    p.push_str("</dl>\n");
    let mut growth = Vec::new();
    if let Some(d) = &r.growth.day_over_day {
        growth.push(format!(
            "last day ({}) {} requests, {} on the day before",
            d.until,
            count(d.requests),
            change(d.change)
        ));
    }
    if let Some(w) = &r.growth.week_over_week {
        growth.push(format!(
            "last 7 days ({} to {}) {} requests, {} on the 7 before",
            w.since,
            w.until,
            count(w.requests),
            change(w.change)
        ));
    }
    if !growth.is_empty() {
        let _ = writeln!(p, "<p>Growth: {}.</p>", esc(&growth.join("; ")));
    }
}

fn daily(p: &mut String, r: &Report) {
    section(p, "daily", "Requests per day");
    let busiest = r.busiest_days.first().map_or_else(
        || "no requests".to_owned(),
        |d| {
            format!(
                "the busiest day was {} with {} requests",
                d.date,
                count(d.counts.requests)
            )
        },
    );
    let throttled = r.days.iter().filter(|d| d.counts.status429 > 0).count();
    let desc = format!(
        "Stacked bars, one per day from {} to {}: 2xx, 3xx, 4xx and 5xx requests; the 429 part \
         of the 4xx is hatched and days with 429s carry a triangle. {} requests in all; {busiest}; \
         {throttled} of {} days had 429s.",
        r.since,
        r.until,
        count(r.totals.requests),
        r.days.len()
    );
    let _ = writeln!(
        p,
        "<figure class=\"wide\">\n<div class=\"scroll\">{}</div>\n<figcaption>{}</figcaption>\n</figure>",
        charts::daily("chart-daily", &r.days, &desc),
        esc(&desc)
    );
    p.push_str("<details>\n<summary>Every day as a table</summary>\n");
    days_table(p, "Requests per day", &r.days);
    p.push_str("</details>\n");
}

/// A ranking's rows: label and usage.
type Rows<'a> = Vec<(String, &'a Usage)>;

fn client_rows(list: &[ClientUsage]) -> Rows<'_> {
    list.iter()
        .map(|c| (client_label(&c.name, &c.id), &c.usage))
        .collect()
}

fn template_rows(list: &[TemplateUsage]) -> Rows<'_> {
    list.iter().map(|t| (t.label(), &t.usage)).collect()
}

fn ranking(p: &mut String, id: &str, heading: &str, rows: &Rows<'_>) {
    section(p, id, heading);
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(label, u)| Bar {
            label: label.clone(),
            requests: u.counts.requests,
            status429: u.counts.status429,
            share: u.share,
        })
        .collect();
    let what = if id == "clients" {
        "client"
    } else {
        "endpoint"
    };
    let desc = match rows.first() {
        Some((label, u)) => format!(
            "Horizontal bars of the requests of the {} {what}s with the most requests, 429s \
             hatched. First: {label}, {} requests ({} of all).",
            rows.len(),
            count(u.counts.requests),
            percent(u.share)
        ),
        None => format!("No {what} made requests in the range."),
    };
    let _ = writeln!(
        p,
        "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
        charts::bars(&format!("chart-{id}"), heading, &desc, &bars),
        esc(&desc)
    );
    usage_table(p, heading, what, rows);
}

fn usage_table(p: &mut String, caption: &str, what: &str, rows: &Rows<'_>) {
    if rows.is_empty() {
        p.push_str("<p>None.</p>\n");
        return;
    }
    let _ = writeln!(
        p,
        "<div class=\"table\"><table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{what}</th>\
         <th scope=\"col\" class=\"n\">requests</th><th scope=\"col\" class=\"n\">share</th>\
         <th scope=\"col\" class=\"n\">429</th><th scope=\"col\" class=\"n\">429 share</th>\
         <th scope=\"col\" class=\"n\">5xx share</th><th scope=\"col\">per day</th></tr></thead>\n<tbody>",
        esc(caption)
    );
    for (label, u) in rows {
        let _ = writeln!(
            p,
            "<tr><th scope=\"row\" class=\"name\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"spark\" aria-hidden=\"true\">{}</td></tr>",
            esc(label),
            count(u.counts.requests),
            percent(u.share),
            count(u.counts.status429),
            percent(u.share429),
            percent(u.share5xx),
            sparkline(&u.daily, 30)
        );
    }
    p.push_str("</tbody>\n</table></div>\n");
}

fn days_table(p: &mut String, caption: &str, days: &[DayUsage]) {
    if days.is_empty() {
        p.push_str("<p>None.</p>\n");
        return;
    }
    let _ = writeln!(
        p,
        "<div class=\"table\"><table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">day</th>\
         <th scope=\"col\" class=\"n\">requests</th><th scope=\"col\" class=\"n\">2xx</th>\
         <th scope=\"col\" class=\"n\">3xx</th><th scope=\"col\" class=\"n\">4xx</th>\
         <th scope=\"col\" class=\"n\">429</th><th scope=\"col\" class=\"n\">5xx</th>\
         <th scope=\"col\" class=\"n\">vs day before</th><th scope=\"col\" class=\"n\">vs week before</th>\
         </tr></thead>\n<tbody>",
        esc(caption)
    );
    for d in days {
        let c = &d.counts;
        let _ = writeln!(
            p,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            d.date,
            count(c.requests),
            count(c.status200),
            count(c.status300),
            count(c.status400),
            count(c.status429),
            count(c.status500),
            change(d.day_over_day),
            change(d.week_over_week)
        );
    }
    p.push_str("</tbody>\n</table></div>\n");
}

fn growing(p: &mut String, r: &Report) {
    let Some(first) = r.growing_clients.first() else {
        p.push_str("<p>None.</p>\n");
        return;
    };
    let _ = writeln!(
        p,
        "<div class=\"table\"><table>\n<caption>Requests from {} to {} against the {} days \
         before</caption>\n<thead><tr><th scope=\"col\">client</th><th scope=\"col\" class=\"n\">before</th>\
         <th scope=\"col\" class=\"n\">period</th><th scope=\"col\" class=\"n\">increase</th>\
         <th scope=\"col\" class=\"n\">change</th></tr></thead>\n<tbody>",
        first.period.since,
        first.period.until,
        (first.period.until - first.period.since).num_days() + 1
    );
    for g in &r.growing_clients {
        let _ = writeln!(
            p,
            "<tr><th scope=\"row\" class=\"name\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&client_label(&g.name, &g.id)),
            count(g.period.previous),
            count(g.period.requests),
            count(g.increase),
            change(g.period.change)
        );
    }
    p.push_str("</tbody>\n</table></div>\n");
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn text_is_escaped_for_content_and_attributes() {
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
