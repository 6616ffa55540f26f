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

/// The top of a value axis for values up to `max`: 1, 2, 2.5 or 5 times a
/// power of ten, at least `max`, so that four ticks fall on round numbers.
fn axis_top(max: i64) -> i64 {
    let max = max.max(1);
    let mut scale = 1;
    loop {
        for step in [1, 2, 5] {
            let top = step * scale * 4;
            if top >= max {
                return top;
            }
        }
        scale *= 10;
    }
}

/// Grouped vertical bars: one group per category, one bar per series (e.g.
/// one per year, in the order of the table beside it), with a value axis and
/// each bar's value above it.
pub fn grouped_columns(title: &str, series: &[String], groups: &[(String, Vec<i64>)]) -> String {
    let (width, height, left, bottom, top) = (660.0, 340.0, 90.0, 110.0, 50.0);
    let plot_height = height - bottom - top;
    let top_value = axis_top(
        groups
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .max()
            .unwrap_or(0),
    );
    let max = top_value as f64;
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
    // The value axis: a gridline and a label at each quarter.
    for tick in 0..=4 {
        let value = top_value * tick / 4;
        let y = height - bottom - plot_height * tick as f64 / 4.0;
        svg.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{width}\" y2=\"{y:.1}\" stroke=\"{c}\"></line>\
             <text x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\" class=\"chart-axis\">{value}</text>",
            c = if tick == 0 { "#505a5f" } else { "#e5e5e5" },
            lx = left - 6.0,
            ty = y + 4.0,
        ));
    }
    svg.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{y}\" stroke=\"#505a5f\"></line>",
        y = height - bottom
    ));
    for (g, (label, values)) in groups.iter().enumerate() {
        let gx = left + g as f64 * group_width + 5.0;
        for (s, value) in values.iter().enumerate() {
            let h = *value as f64 / max * plot_height;
            let x = gx + s as f64 * bar_width;
            let w = (bar_width - 2.0).max(1.0);
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{c}\"><title>{v}</title></rect>\
                 <text x=\"{vx:.1}\" y=\"{vy:.1}\" text-anchor=\"middle\" class=\"chart-axis\">{v}</text>",
                y = height - bottom - h,
                c = COLOURS[s % COLOURS.len()],
                v = value,
                vx = x + w / 2.0,
                vy = height - bottom - h - 3.0,
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
    fn value_axes_end_on_round_numbers() {
        assert_eq!(axis_top(0), 4);
        assert_eq!(axis_top(7), 8);
        assert_eq!(axis_top(367), 400);
        assert_eq!(axis_top(923), 2000);
        assert_eq!(axis_top(40), 40);
    }

    #[test]
    fn grouped_columns_label_their_axis_and_values() {
        let svg = grouped_columns(
            "Feedback",
            &["2024-25".into(), "2023-24".into()],
            &[("Compliments".into(), vec![231, 367])],
        );
        assert!(svg.contains(">400</text>"), "{svg}");
        assert!(svg.contains(">200</text>"));
        assert!(svg.contains(">231</text>"));
        assert!(svg.contains(">367</text>"));
        assert!(
            svg.find("2024-25") < svg.find("2023-24"),
            "the table's order"
        );
    }

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
