//! The page's charts as inline SVG (the `svg` crate builds the elements and
//! escapes text and attributes): requests per day stacked by status class
//! with the 429s marked, and horizontal bars of a ranking.
//!
//! Each chart scales with its container (a `viewBox`, no fixed size), names
//! itself with `<title>` and `<desc>` (`role="img"`, `aria-labelledby`), and
//! gives every bar a `<title>` with its figures, the tooltip a browser shows
//! without any script.

use svg::Document;
use svg::node::element::{
    Definitions, Description, Group, Line, Path, Pattern, Rectangle, Text, Title,
};

use crate::report::model::DayUsage;
use crate::report::text::{count, percent};

/// Colours of the status classes; 429s are also hatched, so the marks read
/// without colour (print, colour blindness).
pub(super) const C2XX: &str = "#2e7d32";
pub(super) const C3XX: &str = "#1565c0";
pub(super) const C4XX: &str = "#ef6c00";
pub(super) const C5XX: &str = "#c62828";
pub(super) const C429: &str = "#4a148c";

const FONT: i32 = 12;

/// What every chart carries: an id for its title and description.
fn frame(id: &str, class: &str, size: (i32, i32), title: &str, desc: &str) -> Document {
    Document::new()
        .set("viewBox", (0, 0, size.0, size.1))
        .set("role", "img")
        .set("class", format!("chart {class}"))
        .set("aria-labelledby", format!("{id}-title {id}-desc"))
        .set("id", id)
        .add(Title::new(title).set("id", format!("{id}-title")))
        .add(
            Description::new()
                .set("id", format!("{id}-desc"))
                .add(svg::node::Text::new(desc)),
        )
        .add(
            Definitions::new().add(
                Pattern::new()
                    .set("id", format!("{id}-hatch"))
                    .set("width", 6)
                    .set("height", 6)
                    .set("patternUnits", "userSpaceOnUse")
                    .set("patternTransform", "rotate(45)")
                    .add(rect(0.0, 0.0, 6.0, 6.0, C429))
                    .add(
                        Line::new()
                            .set("x1", 0)
                            .set("y1", 0)
                            .set("x2", 0)
                            .set("y2", 6)
                            .set("stroke", "#fff")
                            .set("stroke-width", 2),
                    ),
            ),
        )
}

fn rect(x: f64, y: f64, w: f64, h: f64, fill: &str) -> Rectangle {
    Rectangle::new()
        .set("x", round(x))
        .set("y", round(y))
        .set("width", round(w))
        .set("height", round(h))
        .set("fill", fill)
}

fn text(x: f64, y: f64, anchor: &str, content: impl Into<String>) -> Text {
    Text::new(content)
        .set("x", round(x))
        .set("y", round(y))
        .set("text-anchor", anchor)
        .set("font-size", FONT)
}

/// Two decimals are plenty in a 640-unit box and keep the page small.
fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A round axis maximum at or above `max`, with little headroom: 1, 1.2,
/// 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten (each a multiple of 4
/// at the tens, so the four grid steps stay round).
fn nice_max(max: i64) -> i64 {
    let max = max.max(1);
    let mut scale = 1;
    loop {
        for m in [10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100] {
            if m * scale >= max * 10 {
                return (m * scale / 10).max(1);
            }
        }
        scale *= 10;
    }
}

/// Requests per day stacked 2xx, 3xx, 4xx, 5xx from the bottom, the 429
/// part of the 4xx hatched, and a triangle above every day with 429s.
pub(super) fn daily(id: &str, days: &[DayUsage], desc: &str) -> String {
    let (w, h, left, top, bottom) = (640.0, 300.0, 56.0, 34.0, 28.0);
    let plot_w = w - left - 8.0;
    let plot_h = h - top - bottom;
    let max = nice_max(days.iter().map(|d| d.counts.requests).max().unwrap_or(0));
    let y = |v: i64| top + plot_h - plot_h * v as f64 / max as f64;
    let band = plot_w / days.len().max(1) as f64;
    let bar = (band * 0.8).max(0.5);
    let title = "Requests per day by status class";
    let mut doc = frame(id, "daily", (w as i32, h as i32), title, desc);
    doc = doc.add(legend(id, left));
    for i in 0..=4 {
        let v = max * i / 4;
        doc = doc
            .add(
                Line::new()
                    .set("x1", left)
                    .set("x2", w - 8.0)
                    .set("y1", round(y(v)))
                    .set("y2", round(y(v)))
                    .set("stroke", "#ccc")
                    .set("stroke-width", 0.5),
            )
            .add(text(left - 4.0, y(v) + 4.0, "end", count(v)));
    }
    let label_every = days.len().div_ceil(8).max(1);
    for (i, d) in days.iter().enumerate() {
        let x = left + band * i as f64 + (band - bar) / 2.0;
        let c = &d.counts;
        let mut g = Group::new().add(Title::new(format!(
            "{}: {} requests; 2xx {}, 3xx {}, 4xx {} (429 {}), 5xx {}",
            d.date,
            count(c.requests),
            count(c.status200),
            count(c.status300),
            count(c.status400),
            count(c.status429),
            count(c.status500)
        )));
        let mut base = 0;
        for (v, fill) in [
            (c.status200, C2XX),
            (c.status300, C3XX),
            (c.status400 - c.status429, C4XX),
            (c.status429, "url(#HATCH)"),
            (c.status500, C5XX),
        ] {
            if v > 0 {
                let fill = fill.replace("HATCH", &format!("{id}-hatch"));
                g = g.add(rect(x, y(base + v), bar, y(base) - y(base + v), &fill));
            }
            base += v;
        }
        if c.status429 > 0 {
            let (cx, cy) = (x + bar / 2.0, y(c.requests) - 3.0);
            let tri = format!(
                "M{} {}L{} {}L{} {}Z",
                round(cx),
                round(cy),
                round(cx - 3.0),
                round(cy - 5.0),
                round(cx + 3.0),
                round(cy - 5.0)
            );
            g = g.add(Path::new().set("d", tri).set("fill", C429));
        }
        doc = doc.add(g);
        if i % label_every == 0 {
            let label = d.date.format("%b %-d").to_string();
            doc = doc.add(text(x + bar / 2.0, h - 10.0, "middle", label));
        }
    }
    doc.to_string()
}

fn legend(id: &str, left: f64) -> Group {
    let hatch = format!("url(#{id}-hatch)");
    let items = [
        ("2xx", C2XX),
        ("3xx", C3XX),
        ("4xx", C4XX),
        ("429 (▼ on the day)", hatch.as_str()),
        ("5xx", C5XX),
    ];
    let mut g = Group::new().set("aria-hidden", "true");
    let mut x = left;
    for (label, fill) in items {
        g = g
            .add(rect(x, 8.0, 12.0, 12.0, fill))
            .add(text(x + 16.0, 18.0, "start", label));
        x += 28.0 + 7.0 * label.chars().count() as f64;
    }
    g
}

/// One bar of a ranking: its label, requests, 429s and 5xx.
#[derive(Debug)]
pub(super) struct Bar {
    pub(super) label: String,
    pub(super) requests: i64,
    pub(super) status429: i64,
    pub(super) share: f64,
}

/// Horizontal bars, one per line: the label above, the bar (its 429 part
/// hatched) below, the count and share after it. Narrow enough (480 units)
/// to stay legible on a phone.
pub(super) fn bars(id: &str, title: &str, desc: &str, list: &[Bar]) -> String {
    let (w, row, top) = (480.0, 38.0, 8.0);
    let h = top + row * list.len().max(1) as f64 + 4.0;
    let max = list.iter().map(|b| b.requests).max().unwrap_or(0).max(1);
    let bar_w = w - 130.0;
    let mut doc = frame(id, "bars", (w as i32, h as i32), title, desc);
    for (i, b) in list.iter().enumerate() {
        let y = top + row * i as f64;
        let len = bar_w * b.requests as f64 / max as f64;
        let part = bar_w * b.status429 as f64 / max as f64;
        let label: String = if b.label.chars().count() > 64 {
            b.label.chars().take(63).chain(['…']).collect()
        } else {
            b.label.clone()
        };
        let figures = format!("{} ({})", count(b.requests), percent(b.share));
        let g = Group::new()
            .add(Title::new(format!(
                "{}: {} requests, {} 429s",
                b.label,
                count(b.requests),
                count(b.status429)
            )))
            .add(text(0.0, y + 12.0, "start", label))
            .add(rect(0.0, y + 16.0, len.max(1.0), 14.0, C3XX))
            .add(rect(
                len - part,
                y + 16.0,
                part,
                14.0,
                &format!("url(#{id}-hatch)"),
            ))
            .add(text(len + 6.0, y + 27.0, "start", figures));
        doc = doc.add(g);
    }
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(7), 8);
        assert_eq!(nice_max(1_234), 1_500);
        assert_eq!(nice_max(5_000), 5_000);
        assert_eq!(nice_max(10_699), 12_000);
    }

    #[test]
    fn a_chart_names_itself_and_escapes_its_text() {
        let bars = bars(
            "c",
            "Top <clients>",
            "desc & more",
            &[Bar {
                label: "a<b".into(),
                requests: 3,
                status429: 1,
                share: 1.0,
            }],
        );
        assert!(
            bars.contains("<title id=\"c-title\">Top &lt;clients&gt;</title>"),
            "{bars}"
        );
        assert!(bars.contains("desc &amp; more"), "{bars}");
        assert!(
            bars.contains("aria-labelledby=\"c-title c-desc\""),
            "{bars}"
        );
        assert!(!bars.contains("a<b"), "{bars}");
    }
}
