import Chuandao
import Foundation

/// A value in a store's table: the five kinds both SQLite and PostgreSQL hold.
public enum StoreValue: Sendable, Equatable {
  case null
  case int(Int64)
  case real(Double)
  case text(String)
  case blob([UInt8])

  public var int: Int64? {
    switch self {
    case .int(let i): i
    case .real(let d): Int64(exactly: d)
    case .text(let s): Int64(s)
    default: nil
    }
  }
  public var real: Double? {
    switch self {
    case .real(let d): d
    case .int(let i): Double(i)
    default: nil
    }
  }
  public var text: String? {
    switch self {
    case .text(let s): s
    case .int(let i): String(i)
    case .blob(let b): String(decoding: b, as: UTF8.self)
    default: nil
    }
  }
  public var blob: [UInt8]? {
    switch self {
    case .blob(let b): b
    case .text(let s): Array(s.utf8)
    default: nil
    }
  }
  public var isNull: Bool { self == .null }
}

extension StoreValue {
  public init(_ s: String?) { self = s.map { .text($0) } ?? .null }
  public init(_ i: Int?) { self = i.map { .int(Int64($0)) } ?? .null }
  public init(_ d: Double?) { self = d.map { .real($0) } ?? .null }
}

/// One transaction's access to a store: statements with `?` parameters.
public protocol StoreSQL {
  func execute(_ sql: String, _ arguments: [StoreValue]) throws
  /// The rows of a query (or of `INSERT ... RETURNING`), each one value per column.
  func rows(_ sql: String, _ arguments: [StoreValue]) throws -> [[StoreValue]]
}

extension StoreSQL {
  public func execute(_ sql: String) throws { try execute(sql, []) }
  public func rows(_ sql: String) throws -> [[StoreValue]] { try rows(sql, []) }
  /// The first column of the first row, or nil.
  public func value(_ sql: String, _ arguments: [StoreValue] = []) throws -> StoreValue? {
    try rows(sql, arguments).first?.first
  }
}

/// A store's database: SQLite through GRDB here; the domain code (import, compose,
/// publications, overrides) speaks only this protocol, so that another backend is a
/// driver (docs/store.md, "Backends").
public protocol StoreDatabase: AnyObject, Sendable {
  /// The path or URL as the user gave it, without a password.
  var location: String { get }
  /// `sqlite` or `postgresql`.
  var backend: String { get }
  /// Runs `body` in a read transaction.
  func read<T>(_ body: (any StoreSQL) throws -> T) throws -> T
  /// Runs `body` in one write transaction holding the store's write lock from its first
  /// statement (SQLite `BEGIN IMMEDIATE`): committed when `body` returns, rolled back
  /// when it throws. A store locked by another writer is `StoreError.busy`.
  func write<T>(_ body: (any StoreSQL) throws -> T) throws -> T
}

/// What went wrong with a store, in both languages (exit status 1 unless noted).
public struct StoreError: Error, Sendable, CustomStringConvertible {
  public enum Kind: Sendable { case usage, invalidData, busy, newerSchema, notAStore, cannotOpen, io }
  public var kind: Kind
  public var message: LocalizedText
  /// Every problem found in a delivery (for `invalidData`).
  public var diagnostics: DiagnosticLog?

  public init(_ kind: Kind, zh: String, en: String, diagnostics: DiagnosticLog? = nil) {
    self.kind = kind
    self.message = LocalizedText(zh: zh, en: en)
    self.diagnostics = diagnostics
  }

  public func text(_ lang: Language) -> String { message.text(lang) }
  public var description: String { message.en }
}
