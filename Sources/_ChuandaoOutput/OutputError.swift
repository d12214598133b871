import Foundation

/// A file could not be written or read; the message names the file and the system's
/// reason.
public enum OutputError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
  /// `reason` is `strerror(errno)` of the call that failed.
  case cannotWrite(path: String, reason: String)
  case cannotRead(path: String, reason: String)
  /// The destination is (after resolving symbolic links and `..`) one of the inputs.
  case wouldOverwriteInput(String)

  public var description: String {
    switch self {
    case .cannotWrite(let path, let reason):
      return "cannot write \(path): \(reason)"
    case .cannotRead(let path, let reason):
      return "cannot read \(path): \(reason)"
    case .wouldOverwriteInput(let path):
      return "refusing to write \(path): it is an input file; choose another output path"
    }
  }

  public var errorDescription: String? { description }
}

/// `strerror(code)` as a Swift string.
func systemReason(_ code: Int32) -> String {
  String(cString: strerror(code))
}
