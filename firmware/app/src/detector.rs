//! The person detector: the embedded model in a TFLM interpreter, one frame at a time.

use tflm::{ElementType, Interpreter};

/// Scores per class, in the model's output order (model::output::CLASSES).
pub const CLASSES: usize = model::output::CLASSES.len();

/// What one inference found.
#[derive(Clone, Copy, Debug)]
pub struct Detection {
    /// Index into model::output::CLASSES of the highest score.
    pub class: usize,
    /// That class's probability (dequantized output).
    pub score: f32,
    /// The output tensor's bytes, as the model produced them.
    pub raw: [u8; CLASSES],
    /// Core cycles of the inference where the core counts them (not under QEMU).
    pub cycles: Option<u32>,
}

impl Detection {
    pub fn class_name(&self) -> &'static str {
        model::output::CLASSES[self.class]
    }

    /// The product's answer: the person class scored highest.
    pub fn is_person(&self) -> bool {
        self.class == model::output::PERSON
    }
}

pub struct Detector<'a> {
    interpreter: Interpreter<'static, 'a>,
}

fn dequantize(byte: u8) -> f32 {
    let quantized = match model::output::ELEMENT_TYPE {
        ElementType::Int8 => i32::from(byte as i8),
        _ => i32::from(byte),
    };
    (quantized - model::output::ZERO_POINT) as f32 * model::output::SCALE
}

impl<'a> Detector<'a> {
    /// Checks the embedded model and allocates its tensors in `arena` with only the
    /// kernels it uses.
    pub fn new(arena: &'a mut [u8]) -> Result<Self, tflm::Error> {
        let model = model::model()?;
        let interpreter = Interpreter::new(&model, &model::OPS, arena)?;
        Ok(Self { interpreter })
    }

    /// The input tensor, where a frame source writes pixels (HEIGHT x WIDTH bytes).
    pub fn frame_mut(&mut self) -> Result<&mut [u8], tflm::Error> {
        Ok(self.interpreter.input_mut(0)?.into_bytes_mut())
    }

    /// Runs the model on the pixels in the input tensor.
    pub fn detect(&mut self) -> Result<Detection, tflm::Error> {
        {
            // Pixels to the model's input quantization, in place.
            let input = self.interpreter.input_mut(0)?.into_bytes_mut();
            for byte in input.iter_mut() {
                *byte = model::input::PIXEL_TO_INPUT[usize::from(*byte)];
            }
        }
        let start = mcu_rt::profile::cycle_count();
        mcu_rt::profile::inference_begin();
        let result = self.interpreter.invoke();
        mcu_rt::profile::inference_end();
        let end = mcu_rt::profile::cycle_count();
        result?;

        let output = self.interpreter.output(0)?;
        let mut raw = [0u8; CLASSES];
        raw.copy_from_slice(output.bytes());
        let mut class = 0;
        for index in 1..CLASSES {
            if dequantize(raw[index]) > dequantize(raw[class]) {
                class = index;
            }
        }
        Ok(Detection {
            class,
            score: dequantize(raw[class]),
            raw,
            cycles: start.zip(end).map(|(start, end)| end.wrapping_sub(start)),
        })
    }
}
