//! The terminal view: a heading and aligned tables (comfy-table), a
//! sparkline of requests per day on each row; colour only when asked for
//! (the CLI asks on a terminal, never in a pipe).

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, CellAlignment, Color, Table};

use super::model::{ClientUsage, DayUsage, Report, TemplateUsage, Usage};
use super::text::{change, count, percent, sparkline};

/// Sparkline width: about a month of days per character at most.
const SPARK: usize = 30;

/// Above this 429 or 5xx share a cell is coloured as a warning.
const WARN_SHARE: f64 = 0.01;

impl Report {
    /// The report as text for a terminal: a heading, then one table per
    /// section. With `colour`, ANSI colours mark headers, 429s, 5xx and
    /// growth; without, plain text (for pipes, files and snapshots).
    #[must_use]
    pub fn to_terminal(&self, colour: bool) -> String {
        let t = View { colour };
        let mut out = format!("{}\n", super::title(self));
        let spark = sparkline(
            &self
                .days
                .iter()
                .map(|d| d.counts.requests)
                .collect::<Vec<_>>(),
            90,
        );
        out += &format!("Requests per day: {spark}\n");
        out += &growth_line(self);
        t.section(&mut out, "Totals", t.totals(self));
        if self.organizations.len() > 1 {
            let rows = self.organizations.iter().map(|o| (o.id.clone(), &o.usage));
            t.section(
                &mut out,
                "Organisations",
                t.usage_table("organisation", rows),
            );
        }
        t.section(&mut out, "Top OAuth clients", t.clients(&self.top_clients));
        t.section(&mut out, "Top endpoints", t.templates(&self.top_templates));
        t.section(&mut out, "Busiest days", t.days(&self.busiest_days));
        t.section(&mut out, "Fastest-growing clients", t.growing(self));
        t.section(
            &mut out,
            "Most 429s by client",
            t.clients(&self.most_429_clients),
        );
        t.section(
            &mut out,
            "Most 429s by endpoint",
            t.templates(&self.most_429_templates),
        );
        out
    }
}

fn growth_line(report: &Report) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &report.growth.day_over_day {
        parts.push(format!(
            "last day {} {} vs the day before",
            count(d.requests),
            change(d.change)
        ));
    }
    if let Some(w) = &report.growth.week_over_week {
        parts.push(format!(
            "last 7 days {} {} vs the 7 before",
            count(w.requests),
            change(w.change)
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("Growth: {}\n", parts.join("; "))
    }
}

/// Builds the tables, styled or not.
struct View {
    colour: bool,
}

impl View {
    fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        if self.colour {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table.set_header(
            header
                .iter()
                .map(|h| self.styled(Cell::new(h), Some(Attribute::Bold), None)),
        );
        table
    }

    fn styled(&self, cell: Cell, attribute: Option<Attribute>, colour: Option<Color>) -> Cell {
        match (self.colour, attribute, colour) {
            (false, ..) => cell,
            (true, Some(a), Some(c)) => cell.add_attribute(a).fg(c),
            (true, Some(a), None) => cell.add_attribute(a),
            (true, None, Some(c)) => cell.fg(c),
            (true, None, None) => cell,
        }
    }

    fn num(&self, n: i64) -> Cell {
        Cell::new(count(n)).set_alignment(CellAlignment::Right)
    }

    fn share(&self, share: f64, warn: Option<Color>) -> Cell {
        let cell = Cell::new(percent(share)).set_alignment(CellAlignment::Right);
        match warn {
            Some(c) if share > WARN_SHARE => self.styled(cell, None, Some(c)),
            _ => cell,
        }
    }

    fn growth(&self, value: Option<f64>) -> Cell {
        let cell = Cell::new(change(value)).set_alignment(CellAlignment::Right);
        let colour = match value {
            Some(v) if v > 0.0 => Some(Color::Green),
            Some(v) if v < 0.0 => Some(Color::Red),
            _ => None,
        };
        self.styled(cell, None, colour)
    }

    fn spark(&self, daily: &[i64]) -> Cell {
        self.styled(Cell::new(sparkline(daily, SPARK)), None, Some(Color::Cyan))
    }

    fn section(&self, out: &mut String, title: &str, table: Option<Table>) {
        let heading = if self.colour {
            format!("\x1b[1m{title}\x1b[0m")
        } else {
            title.to_owned()
        };
        out.push('\n');
        out.push_str(&heading);
        out.push('\n');
        match table {
            Some(table) => out.push_str(&table.to_string()),
            None => out.push_str("(none)"),
        }
        out.push('\n');
    }

    fn totals(&self, report: &Report) -> Option<Table> {
        let c = &report.totals;
        let mut table = self.table(&[
            "requests",
            "2xx",
            "3xx",
            "4xx",
            "429",
            "5xx",
            "429 share",
            "5xx share",
        ]);
        table.add_row(vec![
            self.num(c.requests),
            self.num(c.status200),
            self.num(c.status300),
            self.num(c.status400),
            self.num(c.status429),
            self.num(c.status500),
            self.share(c.share_429(), Some(Color::Red)),
            self.share(c.share_5xx(), Some(Color::Yellow)),
        ]);
        Some(table)
    }

    fn usage_row(&self, name: String, u: &Usage) -> Vec<Cell> {
        vec![
            Cell::new(name),
            self.num(u.counts.requests),
            self.share(u.share, None),
            self.num(u.counts.status429),
            self.share(u.share429, Some(Color::Red)),
            self.share(u.share5xx, Some(Color::Yellow)),
            self.spark(&u.daily),
        ]
    }

    fn usage_table<'a>(
        &self,
        what: &str,
        rows: impl Iterator<Item = (String, &'a Usage)>,
    ) -> Option<Table> {
        let mut table = self.table(&[
            what,
            "requests",
            "share",
            "429",
            "429 share",
            "5xx share",
            "per day",
        ]);
        let mut any = false;
        for (name, usage) in rows {
            table.add_row(self.usage_row(name, usage));
            any = true;
        }
        any.then_some(table)
    }

    fn clients(&self, list: &[ClientUsage]) -> Option<Table> {
        let rows = list
            .iter()
            .map(|c| (client_label(&c.name, &c.id), &c.usage));
        self.usage_table("client", rows)
    }

    fn templates(&self, list: &[TemplateUsage]) -> Option<Table> {
        self.usage_table("endpoint", list.iter().map(|t| (t.label(), &t.usage)))
    }

    fn days(&self, list: &[DayUsage]) -> Option<Table> {
        if list.is_empty() {
            return None;
        }
        let mut table = self.table(&[
            "day",
            "requests",
            "429",
            "5xx",
            "vs day before",
            "vs week before",
        ]);
        for d in list {
            table.add_row(vec![
                Cell::new(d.date),
                self.num(d.counts.requests),
                self.num(d.counts.status429),
                self.num(d.counts.status500),
                self.growth(d.day_over_day),
                self.growth(d.week_over_week),
            ]);
        }
        Some(table)
    }

    fn growing(&self, report: &Report) -> Option<Table> {
        let first = report.growing_clients.first()?;
        let period = format!("{} to {}", first.period.since, first.period.until);
        let mut table = self.table(&["client", "before", &period, "increase", "change"]);
        for g in &report.growing_clients {
            table.add_row(vec![
                Cell::new(client_label(&g.name, &g.id)),
                self.num(g.period.previous),
                self.num(g.period.requests),
                self.num(g.increase),
                self.growth(g.period.change),
            ]);
        }
        Some(table)
    }
}

/// `Name (id)`, or the id alone when the client has no other name.
pub(crate) fn client_label(name: &str, id: &str) -> String {
    if name == id || name.is_empty() {
        id.to_owned()
    } else {
        format!("{name} ({id})")
    }
}
