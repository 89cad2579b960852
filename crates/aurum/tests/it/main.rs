//! End-to-end tests of the `aurum` binary, each in its own temporary home.

mod backtest;
mod browser;
mod calls;
mod chart;
mod cli;
mod data;
mod events;
mod gpr;
mod import;
mod report;
mod scenario;
mod serve;
mod update;
mod util;
mod vol;
