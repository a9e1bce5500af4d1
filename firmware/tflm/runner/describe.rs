//! What firmware built for a model needs, measured by running the model once through this
//! wrapper and TFLM library: the operators to register (and only those), the smallest arena
//! they run in, and the input and output tensors. Written as JSON for //codegen.

use std::fmt::Write;

use tflm::{ops, ElementType, Interpreter, Model, Op, Tensor};

/// The model's operators as kernels of this library, each once, in order of first use.
fn model_ops(model: &Model<'_>) -> Result<Vec<(Op, i32)>, String> {
    let mut found: Vec<(Op, i32)> = Vec::new();
    for code in model.operator_codes() {
        let op = ops::find(code.builtin_code).ok_or_else(|| {
            format!(
                "builtin operator {} has no kernel in this TFLM library",
                code.builtin_code
            )
        })?;
        match found
            .iter_mut()
            .find(|(known, _)| known.builtin_code() == op.builtin_code())
        {
            Some((_, version)) => *version = (*version).max(code.version),
            None => found.push((op, code.version)),
        }
    }
    Ok(found)
}

fn type_name(element_type: ElementType) -> String {
    match element_type {
        ElementType::Float32 => "float32".into(),
        ElementType::Int32 => "int32".into(),
        ElementType::UInt8 => "uint8".into(),
        ElementType::Int64 => "int64".into(),
        ElementType::Bool => "bool".into(),
        ElementType::Int16 => "int16".into(),
        ElementType::Int8 => "int8".into(),
        ElementType::Float16 => "float16".into(),
        ElementType::Other(code) => format!("tflite_type_{code}"),
    }
}

fn tensor_json(tensor: &Tensor<'_>) -> String {
    let quantization = tensor.quantization();
    let shape: Vec<String> = tensor.shape().iter().map(i32::to_string).collect();
    format!(
        r#"{{"shape": [{}], "type": "{}", "bytes": {}, "scale": {:?}, "scale_bits": {}, "zero_point": {}}}"#,
        shape.join(", "),
        type_name(tensor.element_type()),
        tensor.bytes().len(),
        quantization.scale,
        quantization.scale.to_bits(),
        quantization.zero_point,
    )
}

/// Measures `model` in `arena` (which must hold it) and returns the description as JSON.
pub fn describe(model: &[u8], arena: &mut [u8]) -> Result<String, String> {
    let model = Model::new(model).map_err(|error| error.to_string())?;
    let found = model_ops(&model)?;
    let ops: Vec<Op> = found.iter().map(|(op, _)| *op).collect();
    let minimum =
        Interpreter::minimum_arena_bytes(&model, &ops, arena).map_err(|error| error.to_string())?;
    // Run once in exactly that arena: the size is proven, not only allocated.
    let mut interpreter =
        Interpreter::new(&model, &ops, &mut arena[..minimum]).map_err(|error| error.to_string())?;
    interpreter.invoke().map_err(|error| error.to_string())?;

    let mut json = String::from("{\n");
    let _ = writeln!(json, r#"  "minimum_arena_bytes": {minimum},"#);
    let _ = writeln!(
        json,
        r#"  "arena_used_bytes": {},"#,
        interpreter.arena_used_bytes()
    );
    let _ = writeln!(
        json,
        r#"  "pointer_bytes": {},"#,
        core::mem::size_of::<usize>()
    );
    let operators: Vec<String> = found
        .iter()
        .map(|(op, version)| {
            format!(
                r#"{{"name": "{}", "builtin_code": {}, "version": {version}}}"#,
                op.name(),
                op.builtin_code()
            )
        })
        .collect();
    let _ = writeln!(json, r#"  "operators": [{}],"#, operators.join(", "));
    for (kind, count, last) in [
        ("inputs", interpreter.input_count(), false),
        ("outputs", interpreter.output_count(), true),
    ] {
        let mut tensors = Vec::new();
        for index in 0..count {
            let tensor = if kind == "inputs" {
                interpreter.input(index)
            } else {
                interpreter.output(index)
            }
            .map_err(|error| error.to_string())?;
            tensors.push(tensor_json(&tensor));
        }
        let _ = writeln!(
            json,
            r#"  "{kind}": [{}]{}"#,
            tensors.join(", "),
            if last { "" } else { "," }
        );
    }
    json.push_str("}\n");
    Ok(json)
}
