/// A JSON value whose objects keep their keys in insertion order.
///
/// Integers and doubles are distinct cases so that counts print as `3` and never pass
/// through a `Double`. The writer prints an integral `.number` up to 2^53 without a
/// fraction, so `.number(3)` is written `3` and parses back as `.int(3)`: `parse(write(x))`
/// equals `x` up to that one normalisation. Equality is structural and order-sensitive
/// (objects with the same pairs in a different order are different values, as their
/// output bytes are), and `.number(.nan) != .number(.nan)`.
///
/// `.rows` is an array of objects made from columns as it is written (`JSONRows`): it
/// writes the bytes of, reads as (`arrayValue`, subscripts) and equals the `.array` of its
/// objects. The parser never makes one.
public indirect enum JSON: Sendable {
  case null
  case bool(Bool)
  case int(Int)
  case number(Double)
  case string(String)
  case array([JSON])
  case object(JSONObject)
  case rows(JSONRows)
}

extension JSON: Equatable {
  public static func == (a: JSON, b: JSON) -> Bool {
    switch (a, b) {
    case (.null, .null): true
    case (.bool(let x), .bool(let y)): x == y
    case (.int(let x), .int(let y)): x == y
    case (.number(let x), .number(let y)): x == y
    case (.string(let x), .string(let y)): x == y
    case (.array(let x), .array(let y)): x == y
    case (.object(let x), .object(let y)): x == y
    case (.rows(let r), _): r.array == b
    case (_, .rows(let r)): a == r.array
    default: false
    }
  }
}

// MARK: - Convenience initialisers

extension JSON {
  /// `.number(d)`, or `.null` when `d` is nil or not finite (JSON has no NaN or infinity).
  public init(_ d: Double?) {
    if let d, d.isFinite { self = .number(d) } else { self = .null }
  }

  public init(_ i: Int?) {
    if let i { self = .int(i) } else { self = .null }
  }

  public init(_ s: String?) {
    if let s { self = .string(s) } else { self = .null }
  }

  public init(_ b: Bool?) {
    if let b { self = .bool(b) } else { self = .null }
  }

  public init(_ o: JSONObject) { self = .object(o) }

  public init(_ ints: [Int]) { self = .array(ints.map { .int($0) }) }

  public init(_ ints: [Int?]) { self = .array(ints.map { JSON($0) }) }

  /// Non-finite elements become `null`.
  public init(_ doubles: [Double]) { self = .array(doubles.map { JSON($0) }) }

  /// `nil` and non-finite elements become `null`.
  public init(_ doubles: [Double?]) { self = .array(doubles.map { JSON($0) }) }

  public init(_ strings: [String]) { self = .array(strings.map { .string($0) }) }

  public init(_ strings: [String?]) { self = .array(strings.map { JSON($0) }) }
}

// MARK: - Literals

extension JSON: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
  ExpressibleByDictionaryLiteral
{
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(integerLiteral value: Int) { self = .int(value) }
  public init(floatLiteral value: Double) { self = JSON(value) }
  public init(stringLiteral value: String) { self = .string(value) }
  public init(arrayLiteral elements: JSON...) { self = .array(elements) }
  /// Keys in literal order; a repeated key traps.
  public init(dictionaryLiteral elements: (String, JSON)...) {
    self = .object(JSONObject(elements))
  }
}

// MARK: - Reading values

extension JSON {
  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// The value of `.int`; `.number` is not converted.
  public var intValue: Int? {
    if case .int(let i) = self { return i }
    return nil
  }

  /// The value of `.number`, or of `.int` converted to `Double` (the writer prints
  /// integral doubles as integers, so a parsed `3` may have been a `Double`).
  public var doubleValue: Double? {
    switch self {
    case .number(let d): return d
    case .int(let i): return Double(i)
    default: return nil
    }
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The elements of `.array`, or the objects of `.rows`.
  public var arrayValue: [JSON]? {
    switch self {
    case .array(let a): a
    case .rows(let r): r.objects.map(JSON.object)
    default: nil
    }
  }

  public var objectValue: JSONObject? {
    if case .object(let o) = self { return o }
    return nil
  }

  /// The member `key` of an object; nil for a missing key or a value that is not an object.
  public subscript(key: String) -> JSON? {
    if case .object(let o) = self { return o[key] }
    return nil
  }

  /// The element at `index` of an array; nil when out of range or not an array.
  public subscript(index: Int) -> JSON? {
    switch self {
    case .array(let a) where a.indices.contains(index): a[index]
    case .rows(let r) where (0..<r.count).contains(index): .object(r[index])
    default: nil
    }
  }
}

// MARK: - JSONObject

/// An ordered JSON object: the insertion order of its keys is the output order, so
/// output is stable by construction.
///
/// Lookup scans the keys of small objects and uses a hash index once an object has
/// more than `indexThreshold` keys, so building or parsing a large object key by key
/// stays linear. An object made whole from pairs (a literal, `init(_:)`) — the node rows
/// the analyses write by the hundred thousand — builds no index until a key is added, and
/// its keys are checked for repeats in debug builds only (the tests run every such
/// literal): a province's rows would otherwise cost a dictionary each.
public struct JSONObject: Sendable {
  public private(set) var keys: [String]
  public private(set) var values: [JSON]
  private var index: [String: Int]?

  private static let indexThreshold = 16

  public init() {
    keys = []
    values = []
    index = nil
  }

  /// Pairs in the given order; a repeated key is a programmer error (checked in debug
  /// builds).
  public init(_ pairs: KeyValuePairs<String, JSON>) {
    keys = pairs.map(\.key)
    values = pairs.map(\.value)
    index = nil
    assert(Set(keys).count == keys.count, "JSONObject: duplicate key in \(keys)")
  }

  /// Pairs in the given order; a repeated key is a programmer error (checked in debug
  /// builds).
  public init(_ pairs: [(String, JSON)]) {
    keys = pairs.map(\.0)
    values = pairs.map(\.1)
    index = nil
    assert(Set(keys).count == keys.count, "JSONObject: duplicate key in \(keys)")
  }

  /// The position of `key`, or nil. (An object made whole from pairs has no index until a
  /// key is added: it is scanned.)
  public func index(forKey key: String) -> Int? {
    if let index { return index[key] }
    return keys.firstIndex(of: key)
  }

  /// Get: the value of `key`, or nil. Set: replaces the value in place when `key`
  /// exists, appends otherwise; assigning nil removes the key (use `.null` to store a
  /// JSON null).
  public subscript(key: String) -> JSON? {
    get { index(forKey: key).map { values[$0] } }
    set {
      if let i = index(forKey: key) {
        if let newValue { values[i] = newValue } else { removeValue(at: i) }
      } else if let newValue {
        insertNew(key, newValue)
      }
    }
  }

  /// Appends a key that must not be present yet (traps otherwise).
  public mutating func append(_ key: String, _ value: JSON) {
    precondition(index(forKey: key) == nil, "JSONObject: duplicate key \"\(key)\"")
    insertNew(key, value)
  }

  /// Appends `key` unless present; returns false (and changes nothing) when present.
  @discardableResult
  mutating func appendIfAbsent(_ key: String, _ value: JSON) -> Bool {
    if index(forKey: key) != nil { return false }
    insertNew(key, value)
    return true
  }

  @discardableResult
  public mutating func removeValue(forKey key: String) -> JSON? {
    guard let i = index(forKey: key) else { return nil }
    let v = values[i]
    removeValue(at: i)
    return v
  }

  private mutating func insertNew(_ key: String, _ value: JSON) {
    keys.append(key)
    values.append(value)
    if index != nil {
      index![key] = keys.count - 1
    } else if keys.count > Self.indexThreshold {
      rebuildIndex()
    }
  }

  private mutating func removeValue(at i: Int) {
    keys.remove(at: i)
    values.remove(at: i)
    if keys.count > Self.indexThreshold { rebuildIndex() } else { index = nil }
  }

  private mutating func rebuildIndex() {
    var d = [String: Int](minimumCapacity: keys.count)
    for (i, k) in keys.enumerated() { d[k] = i }
    index = d
  }
}

extension JSONObject: Equatable {
  /// Same keys with the same values in the same order.
  public static func == (a: JSONObject, b: JSONObject) -> Bool {
    a.keys == b.keys && a.values == b.values
  }
}

extension JSONObject: RandomAccessCollection {
  public typealias Element = (key: String, value: JSON)
  public var startIndex: Int { 0 }
  public var endIndex: Int { keys.count }
  public subscript(position: Int) -> Element { (keys[position], values[position]) }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
  /// Keys in literal order; a repeated key traps.
  public init(dictionaryLiteral elements: (String, JSON)...) {
    self.init(elements)
  }
}
