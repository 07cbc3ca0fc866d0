// ppctl's help: oclif's, with "Start here" lines under the root help for someone who has not set anything up yet.
import {Help} from '@oclif/core'

// Under 80 columns, so it never wraps in a default terminal.
const START_HERE = `START HERE
  Try it on this machine   ppctl sandbox start && ppctl auth login
  Your own platform        ppctl auth login --help   (a profile in one command)
  Where you are            ppctl auth status; ppctl route show
  Help on a command        ppctl help <command>   (or <command> --help)`

export default class PpctlHelp extends Help {
  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    this.log(`\n${START_HERE}\n`)
  }
}
