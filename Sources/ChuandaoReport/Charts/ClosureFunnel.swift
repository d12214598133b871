/// The closed loop of the three lists as a funnel of stages (owned → planned → done →
/// on time): one bar per stage on a common baseline, each with its count and its share
/// of the first stage; the tooltip adds the share kept from the stage before.
public struct ClosureFunnel: Sendable {
  public struct Labels: Sendable {
    public var title: String
    public var description: String

    public init(title: String, description: String) {
      self.title = title
      self.description = description
    }
  }

  public var labels: Labels
  public var stages: [String]
  public var counts: [Int]
  public var width: Double

  public init(labels: Labels, stages: [String], counts: [Int], width: Double = 600) {
    precondition(stages.count == counts.count, "one count per stage")
    self.labels = labels
    self.stages = stages
    self.counts = counts
    self.width = width
  }

  public func svg() -> String {
    let rowHeight = 36.0
    let top = 46.0
    let height = top + Double(stages.count) * rowHeight + 20
    var svg = SVGWriter(
      width: width, height: height, title: labels.title, description: labels.description)
    drawTitle(&svg, labels.title)

    let first = Double(counts.first ?? 0)
    let texts = counts.indices.map { i -> String in
      let share = first > 0 ? " (\(percent(Double(counts[i]) / first)))" : ""
      return "\(counts[i])\(share)"
    }
    let labelWidth = widest(stages, fontSize: 11)
    let textWidth = widest(texts, fontSize: 11)
    let x0 = 16 + labelWidth + 12
    let barMax = width - x0 - textWidth - 28
    let most = Double(counts.max() ?? 0)
    let ys = stages.indices.map { top + (Double($0) + 0.5) * rowHeight }
    drawRowLabels(&svg, stages, ys: ys, x: x0 - 10, maxWidth: labelWidth, fontSize: 11)
    for i in stages.indices {
      let w = most > 0 ? barMax * Double(max(0, counts[i])) / most : 0
      // Lighter the further down the funnel, so the order reads without the labels too.
      let fill = Palette.interpolate(
        [Palette.blue, "#5FA8D6"], Double(i) / Double(max(1, stages.count - 1)))
      var title = "\(stages[i]): \(texts[i])"
      if i > 0, counts[i - 1] > 0 {
        title += " ← \(percent(Double(counts[i]) / Double(counts[i - 1])))"
      }
      svg.rect(Rect(x: x0, y: ys[i] - 12, width: w, height: 24), fill: fill, title: title)
      svg.text(texts[i], x: x0 + w + 8, y: ys[i] + 4, size: 11, fill: Palette.ink)
    }
    svg.line(x0, top, x0, top + Double(stages.count) * rowHeight, stroke: Palette.axis)
    return svg.finish()
  }
}
