//! A Parquet writer that chooses each column's encoding: polars' `BatchedWriter` with one
//! difference, that the columns it is told to write Plain (and the float columns, which polars
//! writes Plain in the end) skip the dictionary attempt.
//!
//! polars' writer tries dictionary encoding on every string and primitive column and keeps it
//! when its estimate of distinct values is under 75% of the rows; for a column of long,
//! mostly distinct texts (the grants batch's evidence JSON, 367 bytes a row) that attempt
//! hashes and casts every chunk before it is written, 6% of the batch's CPU (BENCHMARKS.md).
//! polars' `ParquetWriter` takes no per-column encoding, so this writer drives
//! `polars_parquet`'s `FileWriter` itself, the way polars' `BatchedWriter` does: same schema,
//! same compression, statistics, page size and file metadata (the Arrow schema first, then the
//! caller's key-value pairs), so that polars, pyarrow and DuckDB read its files as before.

use polars::prelude::*;
use polars_parquet::write::{
    Compressor, DynIter, DynStreamingIterator, Encoding, FallibleStreamingIterator, FileWriter,
    KeyValue, ParquetType, StatisticsOptions, Version, WriteOptions, array_to_columns,
    get_dtype_encoding, schema_to_metadata_key,
};
use rayon::prelude::*;
use std::io::Write;

/// A Parquet file written frame by frame (every frame with the schema it was created with),
/// with the named columns encoded Plain and every other column as polars' writer encodes it.
pub struct ParquetFileWriter<W: Write> {
    writer: FileWriter<W>,
    /// The Parquet type of each column, in schema order.
    fields: Vec<ParquetType>,
    encodings: Vec<Vec<Encoding>>,
    options: WriteOptions,
    key_value: Vec<(String, String)>,
}

impl<W: Write> ParquetFileWriter<W> {
    /// A writer of frames of `schema` into `writer`, compressed with `compression`; the
    /// columns named in `plain_columns` and the float columns are encoded Plain (a name the
    /// schema lacks is ignored);
    /// `key_value` pairs go into the file's metadata after the Arrow schema.
    pub fn try_new(
        writer: W,
        schema: &Schema,
        compression: ParquetCompression,
        plain_columns: &[&str],
        key_value: Vec<(String, String)>,
    ) -> PolarsResult<Self> {
        let arrow_schema = schema.to_arrow(CompatLevel::newest());
        let encodings = arrow_schema
            .iter_values()
            .map(|field| {
                let mut encoding = get_dtype_encoding(&field.dtype);
                // Floats: polars estimates their distinct values, then its dictionary cast of
                // a float fails and it writes them Plain; Plain at once, the same file.
                let float = matches!(field.dtype, ArrowDataType::Float32 | ArrowDataType::Float64);
                if float || plain_columns.contains(&field.name.as_str()) {
                    encoding.fill(Encoding::Plain);
                }
                encoding
            })
            .collect();
        let options = WriteOptions {
            statistics: StatisticsOptions::default(),
            compression: compression.into(),
            version: Version::V1,
            data_page_size: None,
        };
        let writer = FileWriter::try_new(writer, arrow_schema, options)?;
        Ok(Self {
            fields: writer.parquet_schema().fields().to_vec(),
            writer,
            encodings,
            options,
            key_value,
        })
    }

    /// Writes the rows of `df` (its chunks aligned, as after `rechunk_mut`), one row group per
    /// chunk; the columns of a row group are encoded in parallel, as polars does.
    pub fn write_batch(&mut self, df: &DataFrame) -> PolarsResult<()> {
        let options = self.options;
        for batch in df.iter_chunks(CompatLevel::newest(), false) {
            let rows = batch.len();
            if rows == 0 {
                continue;
            }
            let encoded: Vec<_> = batch
                .columns()
                .par_iter()
                .zip(&self.fields)
                .zip(&self.encodings)
                .map(|((array, parquet_type), encoding)| {
                    array_to_columns(array, parquet_type.clone(), options, encoding)
                })
                .collect::<PolarsResult<Vec<_>>>()?;
            let columns = encoded.into_iter().flatten().map(move |pages| {
                let compressed = Compressor::new_from_vec(
                    pages.map(|page| {
                        page.map_err(|e| {
                            polars_parquet::read::ParquetError::FeatureNotSupported(format!(
                                "reraised in polars: {e}"
                            ))
                        })
                    }),
                    options.compression,
                    vec![],
                )
                .map_err(PolarsError::from);
                Ok(DynStreamingIterator::new(compressed))
            });
            self.writer.write(rows as u64, DynIter::new(columns))?;
        }
        Ok(())
    }

    /// Writes the footer: the Arrow schema (so that readers get the columns' types back) and
    /// the key-value pairs. Returns the file's size.
    pub fn finish(&mut self) -> PolarsResult<u64> {
        let mut metadata = vec![schema_to_metadata_key(self.writer.schema())];
        metadata.extend(self.key_value.iter().map(|(key, value)| KeyValue {
            key: key.clone(),
            value: Some(value.clone()),
        }));
        self.writer.end(Some(metadata))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        let ids: Vec<String> = (0..300).map(|i| format!("g{i}")).collect();
        let evidence: Vec<String> = (0..300)
            .map(|i| format!("{{\"RC-X\":{{\"value\":{}}}}}", i % 7))
            .collect();
        let scores: Vec<f64> = (0..300).map(|i| f64::from(i % 5) / 4.0).collect();
        let flags: Vec<i32> = (0..300).map(|i| i % 2).collect();
        DataFrame::new_infer_height(vec![
            Column::new("grant_id".into(), ids),
            Column::new("evidence".into(), evidence),
            Column::new("score".into(), scores),
            Column::new("flag".into(), flags),
        ])
        .unwrap()
    }

    /// Each column's name and whether it has a dictionary page, in the first row group.
    fn dictionary_columns(bytes: &[u8]) -> Vec<(String, bool)> {
        let metadata =
            polars_parquet::read::read_metadata(&mut std::io::Cursor::new(bytes)).unwrap();
        metadata.row_groups[0]
            .parquet_columns()
            .iter()
            .map(|c| {
                (
                    c.descriptor().path_in_schema[0].to_string(),
                    c.dictionary_page_offset().is_some(),
                )
            })
            .collect()
    }

    fn write(df: &DataFrame, plain: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer = ParquetFileWriter::try_new(
            &mut out,
            &df.schema().clone(),
            ParquetCompression::Zstd(None),
            plain,
            vec![("finrisk:test".into(), "{\"a\":1}".into())],
        )
        .unwrap();
        writer.write_batch(df).unwrap();
        writer.finish().unwrap();
        out
    }

    /// The frame as polars' own writer writes it.
    fn polars_writes(df: &DataFrame) -> Vec<u8> {
        let mut out = Vec::new();
        ParquetWriter::new(&mut out)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(&mut df.clone())
            .unwrap();
        out
    }

    #[test]
    fn named_columns_are_plain_and_the_rest_as_polars_writes_them() {
        let df = frame();
        let polars = dictionary_columns(&polars_writes(&df));
        // polars: a dictionary for the few distinct evidence texts and flags, none for the
        // unique ids nor for the floats.
        let expected = |evidence: bool| {
            vec![
                ("grant_id".to_string(), false),
                ("evidence".to_string(), evidence),
                ("score".to_string(), false),
                ("flag".to_string(), true),
            ]
        };
        assert_eq!(polars, expected(true));
        assert_eq!(dictionary_columns(&write(&df, &[])), expected(true));
        assert_eq!(
            dictionary_columns(&write(&df, &["evidence"])),
            expected(false)
        );
        assert_eq!(
            dictionary_columns(&write(&df, &["nothing"])),
            expected(true)
        );
    }

    #[test]
    fn polars_reads_back_the_frame_and_the_metadata() {
        let df = frame();
        let bytes = write(&df, &["evidence"]);
        let back = ParquetReader::new(std::io::Cursor::new(bytes.clone()))
            .finish()
            .unwrap();
        assert!(back.equals(&df));
        let metadata =
            polars_parquet::read::read_metadata(&mut std::io::Cursor::new(&bytes)).unwrap();
        let keys: Vec<&str> = metadata
            .key_value_metadata
            .iter()
            .flatten()
            .map(|kv| kv.key.as_str())
            .collect();
        assert_eq!(keys, ["ARROW:schema", "finrisk:test"]);
    }
}
