import ArgumentParser
import Foundation
import SPICommandSupport
import SPIRegister

extension GovernanceError {
    /// Prints the refusal on stderr, `error: ` and the message, then one indented line per failing approval gate,
    /// and returns the usage exit status (64) for the command to throw.
    func reported() -> ExitCode {
        SPIMain.printError(message)
        for failure in failures {
            StandardStreams.writeError("  - \(failure.message)\n")
        }
        return .validationFailure
    }
}
