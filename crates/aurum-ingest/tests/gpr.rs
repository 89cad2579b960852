//! Reading the GPR authors' files: CSV exports in each separator, and workbooks.

use std::path::{Path, PathBuf};

use aurum_core::{Date, date};
use aurum_ingest::gpr::{self, GprColumn, GprTable};
use aurum_ingest::update::GPR_WORKBOOKS;
use aurum_ingest::{
    IngestError, ParseOptions, parse, read_text, workbook_csv, workbook_csv_from_bytes,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A scratch file under the target directory, written with `bytes`.
fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let p = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("aurum-ingest-gpr-{name}"));
    fs_err::write(&p, bytes).unwrap();
    p
}

/// A GPR column as imported: its header, its series and its (date, value) points.
type Imported = (String, String, Vec<(Date, f64)>);

/// Each GPR column of `text` read the way `aurum gpr import` reads it.
fn import(file: &str, text: &str) -> Vec<Imported> {
    let GprTable { columns, csv } = gpr::table(file, text).unwrap();
    columns
        .into_iter()
        .map(|GprColumn { header, series }| {
            let opts = ParseOptions {
                column: Some(header.clone()),
                positive: false,
                ..ParseOptions::default()
            };
            let parsed = parse(file, csv.as_bytes(), &opts)
                .unwrap_or_else(|e| panic!("column {header}: {e}"));
            let points = parsed.bars.iter().map(|b| (b.date, b.close)).collect();
            (header, series, points)
        })
        .collect()
}

fn monthly_expected() -> Vec<Imported> {
    vec![
        (
            "GPR".into(),
            "gpr".into(),
            vec![(date(2024, 12, 1), 110.5), (date(2025, 1, 1), 120.75)],
        ),
        (
            "GPRT".into(),
            "gpr-threats".into(),
            vec![(date(2024, 12, 1), 95.25), (date(2025, 1, 1), 0.0)],
        ),
    ]
}

#[test]
fn comma_separated_monthly_file() {
    let text = "month,GPR,GPRT\n2024-12-01,110.5,95.25\n2025-01-01,120.75,0\n";
    assert_eq!(import("g.csv", text), monthly_expected());
}

#[test]
fn semicolon_separated_file_keeps_its_date_column() {
    // Decimal commas, as in the exports of spreadsheets set to European conventions.
    let text = "month;GPR;GPRT\n2024-12-01;110,5;95,25\n2025-01-01;120.75;0\n";
    assert_eq!(import("g.csv", text), monthly_expected());
    let t = gpr::table("g.csv", text).unwrap();
    assert!(t.csv.starts_with("date;GPR;GPRT\n"), "{}", t.csv);
}

#[test]
fn tab_separated_file_keeps_its_date_column() {
    let text = "\"month\"\tGPR\tGPRT\r\n2024-12-01\t110.5\t95.25\r\n2025-01-01\t120.75\t0\r\n";
    assert_eq!(import("g.tsv", text), monthly_expected());
    let t = gpr::table("g.tsv", text).unwrap();
    assert!(t.csv.starts_with("date\tGPR\tGPRT\r\n"), "{:?}", t.csv);
}

#[test]
fn daily_file_with_its_day_column() {
    let text = "DAY,GPRD,GPRD_ACT,GPRD_THREAT,GPRD_MA7,event\n\
                20250217,95.2,0,120.4,101.3,\n\
                20250218,130.9,12.5,160,105.1,summit\n";
    let got = import("d.csv", text);
    let (d1, d2) = (date(2025, 2, 17), date(2025, 2, 18));
    assert_eq!(
        got,
        vec![
            (
                "GPRD".into(),
                "gpr-daily".into(),
                vec![(d1, 95.2), (d2, 130.9)]
            ),
            (
                "GPRD_ACT".into(),
                "gpr-daily-acts".into(),
                vec![(d1, 0.0), (d2, 12.5)]
            ),
            (
                "GPRD_THREAT".into(),
                "gpr-daily-threats".into(),
                vec![(d1, 120.4), (d2, 160.0)]
            ),
        ]
    );
    // `DAY` in a `;` file too.
    let semi = text.replace(',', ";");
    assert_eq!(import("d.csv", &semi), got);
}

#[test]
fn country_and_historical_columns() {
    let text = "month\tGPR\tGPRH\tGPRC_USA\tGPRHC_GBR\tvar_name\n\
                1985-01-01\t100\t80\t1.25\t0.5\tx\n";
    let t = gpr::table("g.tsv", text).unwrap();
    let pairs: Vec<(&str, &str)> = t
        .columns
        .iter()
        .map(|c| (c.header.as_str(), c.series.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("GPR", "gpr"),
            ("GPRH", "gpr-hist"),
            ("GPRC_USA", "gpr-country-usa"),
            ("GPRHC_GBR", "gpr-hist-country-gbr"),
        ]
    );
    let got = import("g.tsv", text);
    assert_eq!(got[2].2, vec![(date(1985, 1, 1), 1.25)]);
    assert_eq!(got[3].2, vec![(date(1985, 1, 1), 0.5)]);
    // The options the table suggests are the ones used above.
    assert_eq!(
        t.columns[2].parse_options(),
        ParseOptions {
            column: Some("GPRC_USA".into()),
            positive: false,
            ..ParseOptions::default()
        }
    );
}

#[test]
fn a_file_without_gpr_column_is_refused_quoting_its_header() {
    let e = gpr::table("prices.csv", "Date;Open;Close\n2025-01-01;1;2\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "prices.csv: no GPR column (GPR, GPRT, GPRA, GPRD, GPRD_ACT, GPRD_THREAT, GPRC_xxx…) in header [\"Date\", \"Open\", \"Close\"]"
    );
    assert!(matches!(e, IngestError::Layout { .. }));
    let e = gpr::table("empty.csv", "").unwrap_err();
    assert_eq!(
        e.to_string(),
        "empty.csv: no GPR column (GPR, GPRT, GPRA, GPRD, GPRD_ACT, GPRD_THREAT, GPRC_xxx…) in header []"
    );
}

#[test]
fn workbook_first_sheet_as_csv() {
    let path = fixture("gpr_workbook.xlsx");
    let csv = workbook_csv(&path).unwrap();
    assert_eq!(
        csv,
        "month,GPR,GPRT,GPRC_USA,N10,note\n\
         2024-11-01,100.25,95.5,0.75,12345,\"a, b\"\n\
         2024-12-01,120,-1.5,,0,true\n\
         2025-01-01,131.125,0,1.5,7,\n"
    );
    assert_eq!(read_text(&path).unwrap(), csv);
    let got = import(&path.display().to_string(), &csv);
    let series: Vec<&str> = got.iter().map(|c| c.1.as_str()).collect();
    assert_eq!(series, ["gpr", "gpr-threats", "gpr-country-usa"]);
    assert_eq!(
        got[0].2,
        vec![
            (date(2024, 11, 1), 100.25),
            (date(2024, 12, 1), 120.0),
            (date(2025, 1, 1), 131.125)
        ]
    );
    // The blank cell is a missing value.
    assert_eq!(got[2].2.len(), 2);
}

#[test]
fn unreadable_workbooks_are_named() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-gpr.xlsx");
    let e = workbook_csv(&missing).unwrap_err();
    assert!(matches!(e, IngestError::Read { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with(&format!("{}: cannot read the file: ", missing.display())),
        "{e}"
    );
    assert!(matches!(read_text(&missing), Err(IngestError::Read { .. })));

    let not_a_workbook = scratch("not-a-workbook.xlsx", b"month,GPR\n2025-01-01,1\n");
    let e = workbook_csv(&not_a_workbook).unwrap_err();
    assert!(matches!(e, IngestError::Workbook { .. }), "{e:?}");
    assert!(
        e.to_string().starts_with(&format!(
            "{}: not a readable workbook: ",
            not_a_workbook.display()
        )),
        "{e}"
    );
}

#[test]
fn text_files_are_read_as_they_are() {
    let p = scratch("text.csv", "\u{feff}month;GPR\n2025-01-01;1\n".as_bytes());
    assert_eq!(read_text(&p).unwrap(), "month;GPR\n2025-01-01;1\n");
    let p = scratch("latin1.csv", b"month,GPR\n\xe9\n");
    assert_eq!(
        read_text(&p).unwrap_err().to_string(),
        format!(
            "{}: not UTF-8 text (invalid byte at offset 10)",
            p.display()
        )
    );
}

/// The authors publish legacy Excel (BIFF8) `.xls` files; a downloaded copy is read from its
/// bytes exactly as a saved one is read from its path.
#[test]
fn authors_xls_workbooks_from_a_file_or_from_bytes() {
    let path = fixture("gpr_export_update.xls");
    let csv = workbook_csv(&path).unwrap();
    let bytes = fs_err::read(&path).unwrap();
    assert_eq!(workbook_csv_from_bytes("m.xls", &bytes).unwrap(), csv);
    assert!(
        csv.starts_with(
            "month,GPR,GPRT,GPRA,GPRH,GPRHT,GPRHA,SHARE_GPR,N10,GPRC_USA,GPRC_CHN,var_name,var_label\n\
             2024-10-01,130.689,"
        ),
        "{csv}"
    );
    let got = import("m.xls", &csv);
    let series: Vec<&str> = got.iter().map(|c| c.1.as_str()).collect();
    assert_eq!(
        series,
        [
            "gpr",
            "gpr-threats",
            "gpr-acts",
            "gpr-hist",
            "gpr-hist-threats",
            "gpr-hist-acts",
            "gpr-country-usa",
            "gpr-country-chn"
        ]
    );
    assert_eq!(got[0].2.len(), 5);
    assert_eq!(got[0].2[4], (date(2025, 2, 1), 125.5));

    // The daily workbook: `DAY` numbers such as 20250212 are the dates; its second date
    // column, `date`, is not read.
    let path = fixture("gpr_daily_recent.xls");
    let csv = workbook_csv(&path).unwrap();
    let bytes = fs_err::read(&path).unwrap();
    assert_eq!(workbook_csv_from_bytes("d.xls", &bytes).unwrap(), csv);
    let t = gpr::table("d.xls", &csv).unwrap();
    assert!(
        t.csv
            .starts_with("date,N10D,GPRD,GPRD_ACT,GPRD_THREAT,date,GPRD_MA30,GPRD_MA7,event\n"),
        "{}",
        t.csv
    );
    let got = import("d.xls", &csv);
    let series: Vec<&str> = got.iter().map(|c| c.1.as_str()).collect();
    assert_eq!(series, ["gpr-daily", "gpr-daily-acts", "gpr-daily-threats"]);
    assert_eq!(got[0].2.len(), 10);
    assert_eq!(got[0].2[0], (date(2025, 2, 12), 95.3714));
    assert_eq!(got[0].2[9], (date(2025, 2, 21), 140.0));
    assert_eq!(got[1].2[8], (date(2025, 2, 20), 0.0));
}

#[test]
fn bytes_that_are_not_a_workbook_are_named() {
    let bytes = fs_err::read(fixture("gpr_export_update.xls")).unwrap();
    for bad in [
        &bytes[..bytes.len() / 2],
        b"<html>moved</html>".as_slice(),
        b"",
    ] {
        let e = workbook_csv_from_bytes("http://127.0.0.1:9/g.xls", bad).unwrap_err();
        assert!(matches!(e, IngestError::Workbook { .. }), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("http://127.0.0.1:9/g.xls: not a readable workbook: "),
            "{e}"
        );
    }
}

/// A downloaded workbook is read as a saved one is, and must be the one expected: the daily
/// workbook served in place of the monthly one is refused, naming the address.
#[test]
fn downloaded_workbooks_must_be_the_expected_one() {
    let [monthly, daily] = GPR_WORKBOOKS;
    let m = fs_err::read(fixture("gpr_export_update.xls")).unwrap();
    let d = fs_err::read(fixture("gpr_daily_recent.xls")).unwrap();
    let url = "http://127.0.0.1:9/gpr_files/data_gpr_export.xls";
    let saved = fixture("gpr_export_update.xls");
    assert_eq!(
        monthly.table(url, &m).unwrap(),
        gpr::table(url, &read_text(&saved).unwrap()).unwrap()
    );
    assert_eq!(daily.table(url, &d).unwrap().columns.len(), 3);
    assert_eq!(
        monthly.table(url, &d).unwrap_err().to_string(),
        format!(
            "{url}: expected the GPR authors' monthly workbook, found columns of the other one: \
             GPRD (gpr-daily), GPRD_ACT (gpr-daily-acts), GPRD_THREAT (gpr-daily-threats)"
        )
    );
    assert!(
        daily
            .table(url, &m)
            .unwrap_err()
            .to_string()
            .starts_with(&format!(
                "{url}: expected the GPR authors' daily workbook, found columns of the other one: \
             GPR (gpr), GPRT (gpr-threats), "
            ))
    );
}
