import ArgumentParser
import Chuandao
import ChuandaoStore
import Foundation
import _ChuandaoOutput

/// The store an analysis read its dataset from, for its provenance and overrides. Commands
/// run one at a time (also in a notebook), and each load sets or clears it.
struct StoreSession: @unchecked Sendable {
  let store: Store
  let composed: StoreDataset

  static var current: StoreSession? {
    get { lock.withLock { value } }
    set { lock.withLock { value = newValue } }
  }
  private static let lock = NSLock()
  nonisolated(unsafe) private static var value: StoreSession?  // guarded by `lock`
}

/// `provenance` with the store's key when the dataset came from one.
func storeProvenance(_ provenance: Provenance) -> Provenance {
  var p = provenance
  p.store = StoreSession.current?.composed.provenance
  return p
}

/// Opens a store for a command; failures are printed and become the exit status.
func openStore(_ location: String, lang: Language) throws -> Store {
  do {
    return try Store.open(location: location)
  } catch {
    throw storeFailure(error, lang: lang)
  }
}

/// Prints a store's error (every diagnostic of an invalid delivery) and gives the exit
/// status: 2 for invalid data, 1 otherwise.
func storeFailure(_ error: any Error, lang: Language) -> ExitCode {
  guard let e = error as? StoreError else {
    if let e = error as? ExitCode { return e }
    printError(lang.pick("错误：\(error)", "error: \(error)"))
    return ExitCode(1)
  }
  if let log = e.diagnostics {
    for d in log.items { printError(d.formatted(lang)) }
    printError(log.summary(lang))
  }
  printError(lang.pick("错误：", "error: ") + e.text(lang))
  return ExitCode(e.kind == .invalidData ? 2 : 1)
}

/// `--store S` of the store commands: default `$CHUANDAO_STORE`, else ./chuandao.sqlite.
struct StoreOption: ParsableArguments {
  @Option(help: optionHelp("存储库：SQLite 文件路径（默认 $CHUANDAO_STORE，否则 ./chuandao.sqlite）。", "The store: an SQLite file path (default $CHUANDAO_STORE, else ./chuandao.sqlite)."))
  var store: String?

  @Option(help: optionHelp("消息的语言：zh 或 en。", "Language of the messages: zh or en."))
  var lang: Language = .zh

  var location: String { store ?? Store.defaultLocation() }
}
