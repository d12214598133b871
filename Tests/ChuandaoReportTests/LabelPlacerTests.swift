import Testing

@testable import ChuandaoReport

@Suite("Label placement")
struct LabelPlacerTests {
  let bounds = Rect(x: 0, y: 0, width: 400, height: 200)

  @Test func sameSpotSecondIsMoved() {
    var p = LabelPlacer(bounds: bounds, fontSize: 10)
    let placed1 = p.place("alpha", x: 100, y: 100)
    #expect(placed1 == true)
    let placed2 = p.place("beta", x: 100, y: 100)
    #expect(placed2 == true)
    #expect(p.placed.count == 2)
    #expect(p.placed[0].anchor == .start)  // right of the point, the first choice
    #expect(p.placed[1].anchor == .end)  // moved to the left
    #expect(!p.placed[0].box.intersects(p.placed[1].box))
  }

  // Five nodes on one spot at the bottom edge of the plot (as cold nodes with O = 0 and
  // about the same E sit on a funnel plot). Next to the node, right, left and above hold
  // three names and below is outside the plot, so the four near places alone drop two.
  // With leaders the other two go to stacked rows (14 px to the side, a row or more up,
  // since rows down are outside), clear of the three beside the node and of each other.
  @Test func nodesOnOneSpotAreAllNamedWithLeaders() {
    var near = LabelPlacer(bounds: bounds, fontSize: 10, padding: 1, offset: 7)
    var stacked = LabelPlacer(bounds: bounds, fontSize: 10, padding: 1, offset: 7)
    let names = ["水文总站第4党支部", "建设工程安全质量监督站第2党支部", "水文总站第2党支部", "港航事务中心第4党支部", "城建档案馆第1党支部"]
    for name in names {
      near.place(name, x: 150, y: 195)
      stacked.place(name, x: 150, y: 195, positions: LabelPlacer.Position.withLeaders)
    }
    #expect(near.placed.count < 5)
    #expect(stacked.placed.map(\.text) == names)
    for i in stacked.placed.indices {
      #expect(bounds.contains(stacked.placed[i].box))
      for j in stacked.placed.indices where j > i {
        #expect(!stacked.placed[i].box.intersects(stacked.placed[j].box, padding: 1))
      }
    }
    // The first three are next to the node, without a leader; the others have one that
    // starts 6 px (offset - 1) from the node and ends at the label's near edge.
    #expect(stacked.placed.prefix(3).allSatisfy { $0.leader == nil })
    for p in stacked.placed.dropFirst(3) {
      let l = try! #require(p.leader)
      #expect(abs(((l[0] - 150) * (l[0] - 150) + (l[1] - 195) * (l[1] - 195)).squareRoot() - 6) < 1e-9)
      #expect(abs(l[2] - (p.anchor == .start ? p.box.minX - 1 : p.box.maxX + 1)) < 1e-9)
    }
  }

  @Test func sameSpotSecondIsDroppedWithOnePosition() {
    var p = LabelPlacer(bounds: bounds, fontSize: 10)
    let placed3 = p.place("alpha", x: 100, y: 100, positions: [.right])
    #expect(placed3 == true)
    let placed4 = p.place("beta", x: 100, y: 100, positions: [.right])
    #expect(placed4 == false)
    #expect(p.placed.map(\.text) == ["alpha"])
  }

  // Font 10 px, offset 0, anchors 60 px apart on one baseline, one position (right):
  // - ten CJK characters: 10 × 1.0 × 10 = 100 px, so the first spans x 0...100 and the
  //   second 60...160: they overlap by 40 px and the second is dropped;
  // - ten ASCII letters: 10 × 0.55 × 10 = 55 px, so 0...55 and 60...115: 5 px apart,
  //   more than the 1 px padding, and both are kept.
  // Counting characters instead of display columns would keep both CJK labels.
  @Test func cjkLabelsAreMeasuredWide() {
    var cjk = LabelPlacer(bounds: bounds, fontSize: 10, padding: 1, offset: 0)
    let placed5 = cjk.place("市交通委机关第一支部", x: 0, y: 100, positions: [.right])
    #expect(placed5 == true)
    let placed6 = cjk.place("市住建委机关第二支部", x: 60, y: 100, positions: [.right])
    #expect(placed6 == false)

    var ascii = LabelPlacer(bounds: bounds, fontSize: 10, padding: 1, offset: 0)
    let placed7 = ascii.place("branch-001", x: 0, y: 100, positions: [.right])
    #expect(placed7 == true)
    let placed8 = ascii.place("branch-002", x: 60, y: 100, positions: [.right])
    #expect(placed8 == true)
    #expect(ascii.placed.count == 2)
  }

  @Test func labelsStayInsideBounds() {
    var p = LabelPlacer(bounds: bounds, fontSize: 10)
    // Right of x = 390 would run out: it goes left instead.
    let placed9 = p.place("edge label", x: 390, y: 100)
    #expect(placed9 == true)
    #expect(p.placed[0].anchor == .end)
  }

  @Test func obstaclesBlock() {
    var p = LabelPlacer(bounds: bounds, fontSize: 10)
    p.addObstacle(Rect(x: 0, y: 0, width: 400, height: 200))
    let placed10 = p.place("x", x: 100, y: 100)
    #expect(placed10 == false)
  }

  @Test func placementIsDeterministic() {
    func run() -> [LabelPlacer.Placed] {
      var p = LabelPlacer(bounds: bounds, fontSize: 10)
      for i in 0..<200 {
        p.place("节点\(i)", x: Double((i * 37) % 380), y: Double((i * 53) % 190))
      }
      return p.placed
    }
    let a = run()
    #expect(a == run())
    for i in a.indices {
      for j in a.indices where j > i {
        #expect(!a[i].box.intersects(a[j].box, padding: 0.99))
      }
    }
  }
}
