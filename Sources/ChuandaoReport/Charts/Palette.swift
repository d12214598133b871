import Foundation

/// Colours that stay apart for readers with any common colour-vision deficiency.
///
/// Okabe & Ito (2008), "Color Universal Design", https://jfly.uni-koeln.de/color/ : eight
/// colours chosen to be distinguishable under protanopia, deuteranopia and tritanopia.
/// Sequential and diverging scales interpolate in sRGB between fixed stops, so the same
/// value always gives the same hex string.
public enum Palette {
  public static let orange = "#E69F00"
  public static let skyBlue = "#56B4E9"
  public static let bluishGreen = "#009E73"
  public static let yellow = "#F0E442"
  public static let blue = "#0072B2"
  public static let vermillion = "#D55E00"
  public static let reddishPurple = "#CC79A7"
  public static let black = "#000000"
  /// The eight in Okabe and Ito's order.
  public static let okabeIto = [
    orange, skyBlue, bluishGreen, yellow, blue, vermillion, reddishPurple, black,
  ]

  /// Neutral greys for axes, grid and normal points.
  static let axis = "#444444"
  static let grid = "#E6E6E6"
  static let muted = "#8C8C8C"
  static let ink = "#222222"

  /// Light to dark blue (ColorBrewer "Blues" ends, a single hue so lightness alone
  /// carries the value): t in 0...1.
  static func sequential(_ t: Double) -> String {
    interpolate(["#EFF6FC", "#8CC2E4", "#2C7BB6", "#0B3C6B"], t)
  }

  /// Cold to hot through light grey: blue (#0072B2) at t = -1, #EBEBEB at 0,
  /// vermillion (#D55E00) at +1.
  static func diverging(_ t: Double) -> String {
    let c = max(-1, min(1, t))
    return c < 0
      ? interpolate(["#EBEBEB", blue], -c)
      : interpolate(["#EBEBEB", vermillion], c)
  }

  /// A colour's relative luminance (WCAG 2.x), to choose black or white text on it.
  static func luminance(_ hex: String) -> Double {
    let (r, g, b) = rgb(hex)
    func lin(_ c: Double) -> Double {
      let s = c / 255
      return s <= 0.03928 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
    }
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
  }

  /// Text colour readable on `hex`: white on dark fills, near-black on light ones.
  static func textOn(_ hex: String) -> String {
    luminance(hex) < 0.3 ? "#FFFFFF" : ink
  }

  static func rgb(_ hex: String) -> (Double, Double, Double) {
    let v = Int(hex.dropFirst(), radix: 16) ?? 0
    return (Double((v >> 16) & 0xFF), Double((v >> 8) & 0xFF), Double(v & 0xFF))
  }

  static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
    func h(_ c: Double) -> String {
      let v = Int(max(0, min(255, c.rounded())))
      let s = String(v, radix: 16, uppercase: true)
      return v < 16 ? "0" + s : s
    }
    return "#" + h(r) + h(g) + h(b)
  }

  /// Piecewise-linear interpolation through equally spaced `stops`.
  static func interpolate(_ stops: [String], _ t: Double) -> String {
    let c = t.isFinite ? max(0, min(1, t)) : 0
    let x = c * Double(stops.count - 1)
    let i = min(stops.count - 2, Int(x))
    let f = x - Double(i)
    let a = rgb(stops[i])
    let b = rgb(stops[i + 1])
    return hex(a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
  }
}

/// A node's place in the funnel: within limits, beyond the 95% limits (cool, warm) or
/// beyond the 99.8% limits (cold, hot).
///
/// Told apart by more than colour: cold and cool point down (▼), warm and hot point up
/// (▲), normal is a small grey circle; cold and hot are filled, cool and warm hollow;
/// cold is blue (#0072B2), hot vermillion (#D55E00).
public enum FunnelFlag: String, Sendable, CaseIterable {
  case cold, cool, normal, warm, hot

  var shape: MarkerShape {
    switch self {
    case .cold, .cool: return .triangleDown
    case .warm, .hot: return .triangleUp
    case .normal: return .circle
    }
  }

  var colour: String {
    switch self {
    case .cold: return Palette.blue
    case .cool: return Palette.skyBlue
    case .normal: return "#9A9A9A"
    case .warm: return Palette.orange
    case .hot: return Palette.vermillion
    }
  }

  /// Filled (cold, hot, normal) or hollow with a thick outline (cool, warm).
  var filled: Bool { self == .cold || self == .hot || self == .normal }

  /// Drawing order: normal at the bottom, the extremes on top.
  var layer: Int {
    switch self {
    case .normal: return 0
    case .cool, .warm: return 1
    case .cold, .hot: return 2
    }
  }
}

/// An assessment grade, best first, with a 4-step ordered palette from Okabe-Ito:
/// blue, sky blue, orange, vermillion (a blue-to-orange diverging order that stays
/// ordered for colour-blind readers).
public enum Grade: Int, Sendable, CaseIterable {
  case excellent, good, fair, poor

  var colour: String {
    switch self {
    case .excellent: return Palette.blue
    case .good: return Palette.skyBlue
    case .fair: return Palette.orange
    case .poor: return Palette.vermillion
    }
  }
}
