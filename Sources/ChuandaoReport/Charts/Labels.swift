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
  enum Position: Equatable {
    /// Left-aligned, just right of the anchor, baseline a third of the size below it.
    case right
    case left
    case above
    case below
    /// Right (left) of the anchor and `rows` lines of text below it (above when negative),
    /// joined to it by a leader line: room for the names of nodes that sit on one spot.
    case stackedRight(rows: Int)
    case stackedLeft(rows: Int)

    /// The four places next to the anchor.
    static let near: [Position] = [.right, .left, .above, .below]
    /// Up to four rows above and below on either side, nearest first.
    static let stacked: [Position] =
      (1...4).flatMap { k in [.stackedRight(rows: -k), .stackedRight(rows: k), .stackedLeft(rows: -k), .stackedLeft(rows: k)] }
    /// The four near places, then the stacked rows.
    static let withLeaders: [Position] = near + stacked
  }

  struct Placed: Equatable {
    var text: String
    var x: Double
    var y: Double
    var anchor: TextAnchor
    var box: Rect
    /// From the anchor to the label, for a stacked label.
    var leader: [Double]?
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
    _ text: String, x: Double, y: Double, positions: [Position] = Position.near
  )
    -> Bool
  {
    for position in positions {
      let (tx, ty, anchor) = origin(position, x: x, y: y)
      let box = TextMetrics.box(text, x: tx, baseline: ty, fontSize: fontSize, anchor: anchor)
      guard bounds.contains(box), !collides(box) else { continue }
      var leader: [Double]?
      switch position {
      case .stackedRight, .stackedLeft:
        // From just outside the node's marker to the middle of the label's near edge.
        let toX = anchor == .start ? box.minX - 1 : box.maxX + 1
        let toY = (box.minY + box.maxY) / 2
        let d = ((toX - x) * (toX - x) + (toY - y) * (toY - y)).squareRoot()
        let r = min(offset - 1, d)
        leader = [x + (toX - x) * r / d, y + (toY - y) * r / d, toX, toY]
      default: break
      }
      placed.append(Placed(text: text, x: tx, y: ty, anchor: anchor, box: box, leader: leader))
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
    case .stackedRight(let k): return (x + 2 * offset, mid + Double(k) * 1.3 * fontSize, .start)
    case .stackedLeft(let k): return (x - 2 * offset, mid + Double(k) * 1.3 * fontSize, .end)
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
      if let l = p.leader { svg.line(l[0], l[1], l[2], l[3], stroke: "#777777", width: 0.6) }
      svg.text(p.text, x: p.x, y: p.y, size: fontSize, anchor: p.anchor, fill: fill)
    }
  }
}
