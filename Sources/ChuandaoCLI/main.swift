import ArgumentParser
import Chuandao
import Foundation

// Exit status (OUTPUT.md): 0 success, 1 usage error, 2 invalid data. ArgumentParser's own
// usage errors exit 64, so the entry point maps them to 1 here, once.
do {
  var command = try ChuandaoCommand.parseAsRoot()
  try command.run()
} catch let exit as ExitCode {
  Foundation.exit(exit.rawValue)
} catch {
  let code = ChuandaoCommand.exitCode(for: error)
  if code == .success {
    ChuandaoCommand.exit(withError: error)  // --help, --version: prints and exits 0
  }
  FileHandle.standardError.write(Data((ChuandaoCommand.fullMessage(for: error) + "\n").utf8))
  Foundation.exit(1)
}
