import Foundation
import _ChuandaoOutput
import _ChuandaoParallel

/// A JSON value: the generator's truth (`Generator`, `Truth`) and provenance records are
/// JSON documents, so the domain names the type for its clients. Only this type is
/// re-exported; writers, tables and files stay in `_ChuandaoOutput`, imported where used.
public typealias JSON = _ChuandaoOutput.JSON

/// The toolkit's version, written into every provenance record.
public enum ChuandaoVersion {
  public static let string = "0.1.0"
}

/// The SHA-256 of a dataset's input files and of the settings file, for provenance.
public struct InputDigests: Sendable {
  /// `dataset.yaml` and every file of DATA.md present in the folder (empty ones included).
  public var inputs: [(file: String, sha256: String)]
  public var config: String?

  public static func compute(dataset folder: String, configPath: String?) throws -> InputDigests {
    var inputs: [(file: String, sha256: String)] = []
    for name in Dataset.inputFiles(in: folder) {
      inputs.append((name, try FileDigest.sha256Hex(path: (folder as NSString).appendingPathComponent(name))))
    }
    return InputDigests(inputs: inputs, config: try configPath.map { try FileDigest.sha256Hex(path: $0) })
  }
}

extension InputDigests {
  /// The digests of a loaded dataset's files, which the load computed from the bytes it
  /// read, and of the settings file. A file of DATA.md that is present but was not read
  /// (none is, when a load with digests succeeds) is hashed here.
  public init(dataset: Dataset, configPath: String?) throws {
    var inputs: [(file: String, sha256: String)] = []
    for name in Dataset.inputFiles(in: dataset.folder) {
      if let sha256 = dataset.files.first(where: { ($0.workbook ?? $0.name) == name })?.sha256 {
        inputs.append((name, sha256))
        continue
      }
      inputs.append((name, try FileDigest.sha256Hex(path: (dataset.folder as NSString).appendingPathComponent(name))))
    }
    self.init(inputs: inputs, config: try configPath.map { try FileDigest.sha256Hex(path: $0) })
  }
}

extension Dataset {
  /// Loads the dataset and takes its files' digests from the load, which hashes every
  /// file in the pass that reads it (docs/loader.md). A failed load has no digests: the
  /// command stops with the load's errors.
  public static func loadAndDigest(
    folder: String, configPath: String?
  ) -> (Result<Dataset, DatasetInvalid>, Result<InputDigests, any Error>) {
    let loaded = Result { () throws(DatasetInvalid) in try Dataset.load(folder: folder, digests: true) }
    switch loaded {
    case .success(let dataset):
      return (loaded, Result { try InputDigests(dataset: dataset, configPath: configPath) })
    case .failure(let error):
      return (loaded, .failure(error))
    }
  }
}

extension Provenance {
  /// The provenance of a result: the inputs' digests, the version, the command line, the
  /// period and the time made.
  public init(digests: InputDigests, command: String, period: String?) {
    self.init(
      version: ChuandaoVersion.string, inputs: digests.inputs, configSHA256: digests.config,
      command: command, period: period, generatedAt: Provenance.now())
  }

  /// Hashes the inputs and makes the provenance in one step.
  public static func make(
    dataset folder: String, configPath: String?, command: String, period: String?
  ) throws -> Provenance {
    Provenance(digests: try InputDigests.compute(dataset: folder, configPath: configPath), command: command, period: period)
  }

  /// The paths a command must never write over: the dataset's files and the settings file.
  public static func protectedPaths(dataset folder: String, configPath: String?) -> Set<String> {
    var out = Set(Dataset.inputCandidates.map { (folder as NSString).appendingPathComponent($0) })
    if let configPath { out.insert(configPath) }
    return out
  }
}

/// Quotes a command line for the provenance record (POSIX shell quoting where needed).
public func shellQuoted(_ args: [String]) -> String {
  args.map { a in
    let safe = a.unicodeScalars.allSatisfy {
      CharacterSet.alphanumerics.contains($0) || "-_./=:,+@%".unicodeScalars.contains($0)
    }
    return safe && !a.isEmpty ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }.joined(separator: " ")
}
