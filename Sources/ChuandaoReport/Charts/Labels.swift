/// Greedy placement of text labels that must not overlap.
///
/// Labels are tried in the order they are offered (the caller's priority: the most
/// important first). Each has candidate positions around its anchor, tried in order;
/// the first whose box stays inside `bounds` and clears every box placed so far (and
/// every obstacle) by `padding` px wins, and a label with no such position is dropped.
/// Same input, same order, same result: nothing random, no tie broken by hashing.
///
/// Boxes are kept in buckets of a coarse grid, so that placing n labels costs about
/// n × (labels per neighbourhood) rather than n², which matters for a funnel plot with
/// thousands of flagged nodes.
struct LabelPlacer {
  /// Where a label may sit relative to its anchor point.
  enum Position: CaseIterable {
    /// Left-aligned, just right of the anchor, baseline a third of the size below it.
    case right
    case left
    case above
    case below
  }

  struct Placed: Equatable {
    var text: String
    var x: Double
    var y: Double
    var anchor: TextAnchor
    var box: Rect
  }

  let bounds: Rect
  let fontSize: Double
  var padding: Double = 1
  /// Distance from the anchor point to the near edge of the label.
  var offset: Double = 5
  private(set) var placed: [Placed] = []
  private var boxes: [Rect] = []
  private var grid: [Int: [Int]] = [:]
  private let cell = 64.0

  init(bounds: Rect, fontSize: Double, padding: Double = 1, offset: Double = 5) {
    self.bounds = bounds
    self.fontSize = fontSize
    self.padding = padding
    self.offset = offset
  }

  /// Reserves `r` (a mark, a legend) so that no label is put on it.
  mutating func addObstacle(_ r: Rect) {
    insert(r)
  }

  /// Tries to place `text` near (x, y); returns whether it was placed.
  @discardableResult
  mutating func place(
    _ text: String, x: Double, y: Double, positions: [Position] = Position.allCases
  )
    -> Bool
  {
    for position in positions {
      let (tx, ty, anchor) = origin(position, x: x, y: y)
      let box = TextMetrics.box(text, x: tx, baseline: ty, fontSize: fontSize, anchor: anchor)
      guard bounds.contains(box), !collides(box) else { continue }
      placed.append(Placed(text: text, x: tx, y: ty, anchor: anchor, box: box))
      insert(box)
      return true
    }
    return false
  }

  func collides(_ r: Rect) -> Bool {
    for key in keys(r.minX - padding, r.maxX + padding, r.minY - padding, r.maxY + padding) {
      for i in grid[key, default: []] where boxes[i].intersects(r, padding: padding) {
        return true
      }
    }
    return false
  }

  private func origin(_ p: Position, x: Double, y: Double) -> (Double, Double, TextAnchor) {
    let mid = y + 0.3 * fontSize  // baseline that centres the box on y
    switch p {
    case .right: return (x + offset, mid, .start)
    case .left: return (x - offset, mid, .end)
    case .above: return (x, y - offset - 0.2 * fontSize, .middle)
    case .below: return (x, y + offset + 0.8 * fontSize, .middle)
    }
  }

  private mutating func insert(_ r: Rect) {
    let index = boxes.count
    boxes.append(r)
    for key in keys(r.minX, r.maxX, r.minY, r.maxY) {
      grid[key, default: []].append(index)
    }
  }

  private func keys(_ x0: Double, _ x1: Double, _ y0: Double, _ y1: Double) -> [Int] {
    let c0 = Int((x0 / cell).rounded(.down))
    let c1 = Int((x1 / cell).rounded(.down))
    let r0 = Int((y0 / cell).rounded(.down))
    let r1 = Int((y1 / cell).rounded(.down))
    var out: [Int] = []
    for r in r0...max(r0, r1) {
      for c in c0...max(c0, c1) { out.append(r &* 1_000_003 &+ c) }
    }
    return out
  }

  /// Writes every placed label.
  func draw(into svg: inout SVGWriter, fill: String = "#222222") {
    for p in placed {
      svg.text(p.text, x: p.x, y: p.y, size: fontSize, anchor: p.anchor, fill: fill)
    }
  }
}
