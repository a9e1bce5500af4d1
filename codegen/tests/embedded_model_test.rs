//! The generated crate for the tests' int8 model, on the host: what the firmware relies on.

use tflm::{ops, ElementType, Interpreter, Model, ALIGNMENT};

#[test]
fn model_bytes_are_aligned_and_complete() {
    assert_eq!(model::MODEL.0.as_ptr() as usize % ALIGNMENT, 0);
    assert_eq!(core::mem::align_of_val(&model::MODEL), ALIGNMENT);
    assert_eq!(model::MODEL.0.len(), model::MODEL_BYTES);
    let on_disk = std::fs::read("codegen/smoke_model_module_src/model.tflite").unwrap();
    assert_eq!(model::MODEL.0.as_slice(), on_disk.as_slice());
    assert_eq!(model::MODEL_SHA256.len(), 64);
    assert!(
        model::MACS > 1_000_000,
        "a MobileNetV2 has millions of MACs"
    );
}

#[test]
fn listed_operators_are_exactly_the_models() {
    let model = Model::new(model::MODEL.as_slice()).unwrap();
    let mut used: Vec<i32> = model
        .operator_codes()
        .map(|code| code.builtin_code)
        .collect();
    used.sort_unstable();
    used.dedup();
    let mut listed: Vec<i32> = model::OPS.iter().map(|op| op.builtin_code()).collect();
    listed.sort_unstable();
    assert_eq!(used, listed);
    // Nothing unused is linked: the quantized MobileNetV2 has no e.g. AVERAGE_POOL_2D twin.
    assert!(model::OPS
        .iter()
        .all(|op| ops::find(op.builtin_code()).is_some()));
}

#[test]
fn the_model_runs_in_exactly_the_generated_arena() {
    let model = Model::new(model::MODEL.as_slice()).unwrap();
    let mut arena = vec![0u8; model::ARENA_BYTES + ALIGNMENT];
    let start = arena.as_ptr().align_offset(ALIGNMENT);
    let arena = &mut arena[start..start + model::ARENA_BYTES];
    assert_eq!(model::ARENA_BYTES % ALIGNMENT, 0);
    {
        let mut interpreter = Interpreter::new(&model, &model::OPS, arena).unwrap();
        interpreter.invoke().unwrap();
    }
    // One alignment step less is too small: the size is measured, not padded.
    let short = model::ARENA_BYTES - ALIGNMENT;
    assert!(Interpreter::new(&model, &model::OPS, &mut arena[..short]).is_err());
}

#[test]
fn input_and_output_match_the_interpreter() {
    let model = Model::new(model::MODEL.as_slice()).unwrap();
    let mut arena = vec![0u8; model::ARENA_BYTES + ALIGNMENT];
    let start = arena.as_ptr().align_offset(ALIGNMENT);
    let interpreter = Interpreter::new(
        &model,
        &model::OPS,
        &mut arena[start..start + model::ARENA_BYTES],
    )
    .unwrap();
    let input = interpreter.input(0).unwrap();
    assert_eq!(input.shape(), model::input::SHAPE);
    assert_eq!(input.element_type(), model::input::ELEMENT_TYPE);
    assert_eq!(input.quantization().scale, model::input::SCALE);
    assert_eq!(input.quantization().zero_point, model::input::ZERO_POINT);
    assert_eq!(input.bytes().len(), model::input::FRAME_BYTES);
    let output = interpreter.output(0).unwrap();
    assert_eq!(output.bytes().len(), model::output::CLASSES.len());
    assert_eq!(output.element_type(), model::output::ELEMENT_TYPE);
    assert_eq!(output.quantization().scale, model::output::SCALE);
    assert_eq!(output.quantization().zero_point, model::output::ZERO_POINT);
    assert_eq!(model::output::CLASSES, ["no_person", "person"]);
}

#[test]
fn pixels_map_to_the_input_quantization() {
    // int8 input, scale 1, zero point -128 (what //quantization emits): pixel - 128.
    assert_eq!(model::input::ELEMENT_TYPE, ElementType::Int8);
    for pixel in 0..=255u8 {
        let expected = (i32::from(pixel) - 128) as i8;
        assert_eq!(
            model::input::PIXEL_TO_INPUT[usize::from(pixel)] as i8,
            expected
        );
    }
}
