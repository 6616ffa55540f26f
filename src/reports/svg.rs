//! Bar charts as inline SVG: no scripts, fonts or images from elsewhere.
//!
//! The charts are strings, built here and embedded in the report as they
//! are; every text that goes into them passes through [`escape`].

/// Escape text for HTML and SVG (text and double- or single-quoted
/// attributes).
fn escape(text: &str) -> String {
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

/// Bar colours, cycled.
const COLOURS: [&str; 4] = ["#1d70b8", "#00703c", "#6f72af", "#b58840"];

/// A horizontal bar chart of labelled values.
pub fn horizontal_bars(title: &str, bars: &[(String, i64)]) -> String {
    let label_width = 210.0;
    let bar_area = 380.0;
    let row = 24.0;
    let top = 30.0;
    let height = top + row * bars.len() as f64 + 10.0;
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 660 {height}\" width=\"660\" height=\"{height}\" class=\"chart\">\
         <title>{t}</title><text x=\"0\" y=\"18\" class=\"chart-title\">{t}</text>",
        t = escape(title)
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let width = (*value as f64 / max * bar_area).max(if *value > 0 { 1.0 } else { 0.0 });
        svg.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" class=\"chart-label\">{label}</text>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{width:.1}\" height=\"{h}\" fill=\"{colour}\"></rect>\
             <text x=\"{vx:.1}\" y=\"{ty}\" class=\"chart-value\">{value}</text>",
            lx = label_width - 8.0,
            ty = y + 16.0,
            label = escape(label),
            x = label_width,
            h = row - 6.0,
            colour = COLOURS[0],
            vx = label_width + width + 6.0,
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Grouped vertical bars: one group per category, one bar per series (e.g.
/// one per year).
pub fn grouped_columns(title: &str, series: &[String], groups: &[(String, Vec<i64>)]) -> String {
    let (width, height, left, bottom, top) = (660.0, 340.0, 90.0, 110.0, 50.0);
    let plot_height = height - bottom - top;
    let max = groups
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let group_width = (width - left) / groups.len().max(1) as f64;
    let bar_width = (group_width - 10.0) / series.len().max(1) as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" class=\"chart\">\
         <title>{t}</title><text x=\"0\" y=\"18\" class=\"chart-title\">{t}</text>",
        t = escape(title)
    );
    for (s, name) in series.iter().enumerate() {
        let x = 10.0 + s as f64 * 120.0;
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"28\" width=\"12\" height=\"12\" fill=\"{c}\"></rect><text x=\"{tx}\" y=\"38\" class=\"chart-label\">{n}</text>",
            c = COLOURS[s % COLOURS.len()],
            tx = x + 16.0,
            n = escape(name)
        ));
    }
    svg.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{y}\" x2=\"{width}\" y2=\"{y}\" stroke=\"#505a5f\"></line>",
        y = height - bottom
    ));
    for (g, (label, values)) in groups.iter().enumerate() {
        let gx = left + g as f64 * group_width + 5.0;
        for (s, value) in values.iter().enumerate() {
            let h = *value as f64 / max * plot_height;
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{c}\"><title>{v}</title></rect>",
                x = gx + s as f64 * bar_width,
                y = height - bottom - h,
                w = (bar_width - 2.0).max(1.0),
                c = COLOURS[s % COLOURS.len()],
                v = value
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{y}\" text-anchor=\"end\" transform=\"rotate(-35 {x:.1} {y})\" class=\"chart-label\">{l}</text>",
            x = gx + group_width / 2.0,
            y = height - bottom + 14.0,
            l = escape(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn charts_escape_their_labels_and_scale_to_the_largest_value() {
        let svg = horizontal_bars(
            "Reasons <b>",
            &[("Charging & fees".into(), 66), ("Other".into(), 33)],
        );
        assert!(svg.contains("Charging &amp; fees"));
        assert!(svg.contains("Reasons &lt;b&gt;"));
        assert!(svg.contains("width=\"380.0\""));
        assert!(svg.contains("width=\"190.0\""));
        assert!(!svg.contains("<script"));
    }
}
