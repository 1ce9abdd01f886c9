//! The page's style sheet, inline in the page (nothing to fetch). Narrow
//! screens scroll the daily chart sideways; print drops the scrolling.

pub(super) const STYLE: &str = r#"
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; line-height: 1.45; color: #1b1b1b; background: #fff; }
body { margin: 0; }
main { max-width: 62rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.45rem; margin: 0.5rem 0; }
h2 { font-size: 1.15rem; margin: 2rem 0 0.5rem; padding-bottom: 0.2rem; border-bottom: 1px solid #ddd; }
.sub { color: #555; margin-top: 0; }
.totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(8.5rem, 1fr)); gap: 0.5rem; margin: 0; }
.totals div { border: 1px solid #ddd; border-radius: 0.4rem; padding: 0.4rem 0.6rem; }
.totals dt { font-size: 0.8rem; color: #555; }
.totals dd { margin: 0; font-size: 1.25rem; font-weight: 600; font-variant-numeric: tabular-nums; }
figure { margin: 0.5rem 0 1rem; }
figcaption { font-size: 0.85rem; color: #555; }
.scroll, .table { overflow-x: auto; }
svg.chart { display: block; width: 100%; height: auto; }
.wide svg.chart { min-width: 36rem; }
svg.bars { max-width: 40rem; }
svg.chart text { fill: #333; font-family: inherit; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
th, td { padding: 0.25rem 0.5rem; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #ccc; }
th.name { font-weight: normal; overflow-wrap: anywhere; }
.n { text-align: right; white-space: nowrap; }
.spark { color: #1565c0; white-space: nowrap; letter-spacing: -0.05em; }
details { margin: 0.5rem 0; }
@media (max-width: 40rem) { main { padding: 0.6rem; } .spark { display: none; } }
@media print {
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  figure, .totals, tr { break-inside: avoid; }
  .scroll, .table { overflow: visible; }
  .wide svg.chart { min-width: 0; }
}
"#;
