import ArgumentParser
import Chuandao
import Foundation

extension GeneratorSpec.Preset: ExpressibleByArgument {}

struct Generate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Generate a dataset with planted truth (truth.json). 生成带有已知真值的数据集。",
    discussion: helpText("""
      Presets (docs/output.md): sample 4x5x4 over 5 periods, city 20x30x15 over 5, province
      200x50x20 over 3 (about 210,000 nodes), national 2000x100x25 over 3 (about 5.2 million,
      written as a stream). --shape gives one factor per level: the number of top-level
      nodes, then children per parent (2 to 6 levels). The same seed gives byte-identical
      files. OUT_DIR must not already hold a dataset.

      Examples:
        chuandao generate /tmp/city --preset city --seed 7
        chuandao generate /tmp/deep --shape 3x4x3x3x2x2 --periods 4
        chuandao generate /tmp/null --preset city --null --seed 11
      """))

  @Argument(help: "The folder to write (created if missing; must not hold a dataset).")
  var outDir: String

  @Option(help: "sample, city, province or national (default: sample, unless --shape is given).")
  var preset: GeneratorSpec.Preset?

  @Option(help: "One factor per level, e.g. 20x30x15 (overrides the preset's shape).")
  var shape: String?

  @Option(help: "Number of periods (default: the preset's, else 5).")
  var periods: Int?

  @Option(help: "Random seed.")
  var seed: UInt64 = 1

  @Flag(help: "Plant nothing (for measuring false-flag rates).")
  var null = false

  @Option(help: "Language of messages: zh or en.")
  var lang: Language = .zh

  func validate() throws {
    if let shape, GeneratorSpec.parseShape(shape) == nil {
      throw ValidationError("--shape '\(shape)' must be 2 to 6 positive factors joined by x, e.g. 20x30x15")
    }
  }

  func run() throws {
    var spec = GeneratorSpec.preset(preset ?? .sample, seed: seed, null: null)
    if let shape {
      spec.shape = GeneratorSpec.parseShape(shape)!
      spec.preset = preset == .sample || preset == nil ? nil : preset
      if preset == nil { spec.periods = 5 }
    }
    if let periods { spec.periods = periods }
    if let problem = spec.problem {
      printError(lang.pick("错误：\(problem.zh)", "error: \(problem.en)"))
      throw ExitCode(1)
    }
    let existing = Chuandao.Dataset.knownFiles + ["truth.json"]
    if let clash = existing.first(where: { FileManager.default.fileExists(atPath: (outDir as NSString).appendingPathComponent($0)) }) {
      printError(lang.pick(
        "错误：\(outDir) 中已有 \(clash)；生成器不会覆盖已有文件，请换一个文件夹",
        "error: \(outDir) already holds \(clash); the generator never writes over files, choose another folder"))
      throw ExitCode(1)
    }
    let total = spec.shape[0]
    let interactive = isatty(STDERR_FILENO) != 0
    var lastShown = -1
    do {
      _ = try DatasetGenerator(spec).write(to: outDir) { done, all in
        guard interactive, all >= 20 else { return }
        let percent = done * 100 / all
        if percent != lastShown {
          lastShown = percent
          FileHandle.standardError.write(Data("\r\(lang.pick("生成中", "generating")) \(percent)%".utf8))
        }
      }
    } catch {
      if interactive { printError("") }
      printError(lang.pick("错误：无法写入 \(outDir)：\(error)", "error: cannot write \(outDir): \(error)"))
      throw ExitCode(1)
    }
    if interactive && total >= 20 { printError("") }
    printError(lang.pick(
      "已生成 \(outDir)（\(spec.shape.map(String.init).joined(separator: "x"))，\(spec.periods) 期，种子 \(spec.seed)\(spec.null ? "，不植入效应" : "")）；真值见 truth.json",
      "wrote \(outDir) (\(spec.shape.map(String.init).joined(separator: "x")), \(spec.periods) periods, seed \(spec.seed)\(spec.null ? ", nothing planted" : "")); the planted truth is in truth.json"))
  }
}
